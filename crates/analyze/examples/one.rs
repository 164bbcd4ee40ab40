//! Development aid: analyses the text on standard input and prints the
//! quotes, one per line.
use std::io::Read;

fn main() {
    let mut s = String::new();
    let _ = std::io::stdin().read_to_string(&mut s);
    let a = newsdesk_analyze::analyze(&s, None);
    for q in &a.quotes {
        println!("{:?} [{:?}] spk={:?} res={:?} role={:?} cue={:?} to={:?}\n    {:?}", q.kind, q.fragments, q.speaker.written, q.speaker.resolved, q.speaker.role, q.cue, q.addressee, q.text);
    }
    if std::env::args().any(|a| a == "-e") {
        for e in &a.entities {
            println!("{:?} {} {:?} x{}", e.kind, e.name, e.roles, e.mentions.len());
        }
        for d in &a.dates {
            println!("{} {:?}", d.text, d.value);
        }
    }
}
