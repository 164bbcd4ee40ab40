//! `newsdesk follow`: saved queries, speakers and entities that collect new
//! matching articles at ingest time; `follow check` hands each match out
//! exactly once.

use anyhow::{bail, Result};
use newsdesk_store::{EmbeddedStore, FollowSpec, Store};

use crate::query_cmd::{open_existing_for_writing, Common, OutFormat, Table};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Follow a search query, a speaker or an entity from now on
    Add {
        #[command(flatten)]
        common: Common,
        /// Name of the follow (used by check and remove)
        name: String,
        /// Follow quotes by this person
        #[arg(long, conflicts_with_all = ["entity", "query"])]
        speaker: Option<String>,
        /// Follow mentions of this person, organisation or place
        #[arg(long, conflicts_with = "query")]
        entity: Option<String>,
        /// Search query (same syntax as `newsdesk search`)
        query: Vec<String>,
    },
    /// List the follows with their undelivered matches
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Print matches found since the last check (each exactly once)
    Check {
        #[command(flatten)]
        common: Common,
        /// Only this follow
        name: Option<String>,
    },
    /// Stop following
    Remove {
        #[command(flatten)]
        common: Common,
        name: String,
    },
}

fn spec_text(spec: &FollowSpec) -> String {
    match spec {
        FollowSpec::Query(q) => format!("query {q}"),
        FollowSpec::Speaker(s) => format!("speaker {s}"),
        FollowSpec::Entity(e) => format!("entity {e}"),
    }
}

fn open_or_create(common: &Common) -> Result<EmbeddedStore> {
    std::fs::create_dir_all(&common.data_dir)?;
    Ok(EmbeddedStore::open(&common.data_dir)?)
}

pub fn run(args: Args) -> Result<bool> {
    match args.what {
        What::Add { common, name, speaker, entity, query } => {
            let spec = match (speaker, entity) {
                (Some(s), _) => FollowSpec::Speaker(s),
                (_, Some(e)) => FollowSpec::Entity(e),
                _ if !query.is_empty() => FollowSpec::Query(query.join(" ")),
                _ => bail!("follow add needs a QUERY, --speaker NAME or --entity NAME"),
            };
            // Following before the first ingest is normal: create the store.
            let mut store = open_or_create(&common)?;
            let f = store.follow_add(&name, &spec)?;
            match common.format {
                OutFormat::Table => println!("following {}: {}", f.name, spec_text(&f.spec)),
                _ => println!("{}", serde_json::to_string(&f)?),
            }
            Ok(true)
        }
        What::List { common } => {
            let store = open_or_create(&common)?;
            let list = store.follow_list()?;
            match common.format {
                OutFormat::Json => println!("{}", serde_json::to_string_pretty(&list)?),
                OutFormat::Jsonl => {
                    for f in &list {
                        println!("{}", serde_json::to_string(f)?);
                    }
                }
                OutFormat::Table => {
                    let mut t = Table::new(vec!["name", "follows", "new matches"]);
                    for f in &list {
                        t.row(vec![f.name.clone(), spec_text(&f.spec), f.pending.to_string()]);
                    }
                    t.write(&mut std::io::stdout().lock())?;
                }
            }
            Ok(true)
        }
        What::Check { common, name } => {
            let mut store = open_existing_for_writing(&common.data_dir)?;
            let matches = store.follow_check(name.as_deref())?;
            match common.format {
                OutFormat::Json => println!("{}", serde_json::to_string_pretty(&matches)?),
                OutFormat::Jsonl => {
                    for m in &matches {
                        println!("{}", serde_json::to_string(m)?);
                    }
                }
                OutFormat::Table => {
                    let mut t = Table::new(vec!["follow", "id", "date", "site", "headline"]);
                    for m in &matches {
                        let a = &m.article;
                        t.row(vec![
                            m.follow.clone(),
                            a.id.to_string(),
                            a.published.as_deref().map(|p| p.get(..10).unwrap_or(p).to_string()).unwrap_or_default(),
                            a.site.clone().unwrap_or_default(),
                            a.headline.clone().unwrap_or_default(),
                        ]);
                    }
                    t.write(&mut std::io::stdout().lock())?;
                }
            }
            Ok(true)
        }
        What::Remove { common, name } => {
            let mut store = open_existing_for_writing(&common.data_dir)?;
            if store.follow_remove(&name)? {
                println!("removed {name}");
                Ok(true)
            } else {
                eprintln!("newsdesk: no follow named {name}");
                Ok(false)
            }
        }
    }
}
