//! Language identification of article text, returning ISO 639-1 codes.
//!
//! Shared by the HTML and the text-dump extractors so both name languages
//! the same way. Frequent-word counts decide the common Latin-script
//! languages cheaply; whatlang's trigram profiles decide the rest.

/// Frequent short words of the Latin-script languages met most often,
/// chosen to differ between the languages.
const STOPWORDS: [(&str, &[&str]); 7] = [
    ("en", &["the", "and", "of", "to", "is", "that", "was", "with", "he", "she", "said", "for", "it", "from", "have", "has", "were", "this", "by"]),
    ("de", &["der", "die", "und", "das", "nicht", "mit", "sich", "auf", "für", "ist", "dem", "ein", "eine", "wird", "auch", "nach", "bei", "sie"]),
    ("fr", &["le", "les", "et", "des", "est", "une", "du", "dans", "qui", "pour", "pas", "sur", "au", "il", "ce", "avec", "elle", "sont"]),
    ("es", &["el", "los", "las", "y", "del", "por", "para", "es", "su", "al", "lo", "más", "pero", "sus", "fue", "muy", "también", "este"]),
    ("it", &["il", "di", "che", "per", "della", "non", "sono", "gli", "è", "nel", "alla", "anche", "delle", "dei", "ha", "questo", "si", "degli"]),
    ("pt", &["os", "do", "da", "em", "um", "uma", "não", "no", "na", "ao", "pelo", "pela", "foi", "são", "mais", "dos", "das", "também"]),
    ("nl", &["het", "een", "van", "en", "op", "te", "zijn", "voor", "niet", "met", "er", "ook", "aan", "wordt", "dat", "bij", "naar", "worden"]),
];

/// The language of Latin-script text by counting frequent words, when one
/// language clearly leads; `None` leaves the decision to whatlang. This
/// costs a few microseconds where whatlang's trigram profiles cost a
/// hundred, and these seven languages are most of the news read.
fn common_latin_language(text: &str) -> Option<&'static str> {
    let mut counts = [0usize; STOPWORDS.len()];
    let mut seen = 0;
    for w in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(120) {
        seen += 1;
        if w.len() > 8 {
            continue;
        }
        let lw = w.to_lowercase();
        for (n, (_, words)) in STOPWORDS.iter().enumerate() {
            if words.contains(&lw.as_str()) {
                counts[n] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&n| std::cmp::Reverse(counts[n]));
    let (best, second) = (counts[order[0]], counts[order[1]]);
    (seen >= 20 && best >= 6 && best >= 3 * second.max(1)).then(|| STOPWORDS[order[0]].0)
}

/// ISO 639-1 code of the language of `text`: common Latin-script languages
/// by their frequent words, everything else by whatlang.
pub fn detect(text: &str) -> Option<&'static str> {
    let mut cut = text.len().min(800);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(code) = common_latin_language(&text[..cut]) {
        return Some(code);
    }
    language_by_trigrams(text)
}

/// ISO 639-1 code of the language whatlang detects in `text`.
fn language_by_trigrams(text: &str) -> Option<&'static str> {
    // A few sentences decide the language as well as the whole body, and
    // detection cost grows with the text.
    let mut cut = text.len().min(160);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let info = whatlang::detect(&text[..cut])?;
    use whatlang::Lang::*;
    let code = match info.lang() {
        Eng => "en", Deu => "de", Fra => "fr", Spa => "es", Ita => "it", Por => "pt", Nld => "nl",
        Rus => "ru", Ukr => "uk", Pol => "pl", Ces => "cs", Slk => "sk", Slv => "sl", Hrv => "hr",
        Srp => "sr", Bul => "bg", Ron => "ro", Hun => "hu", Ell => "el", Tur => "tr", Swe => "sv",
        Dan => "da", Nob => "nb", Fin => "fi", Est => "et", Lav => "lv", Lit => "lt", Cat => "ca",
        Ara => "ar", Heb => "he", Pes => "fa", Urd => "ur", Hin => "hi", Ben => "bn", Tam => "ta",
        Tel => "te", Mar => "mr", Guj => "gu", Pan => "pa", Kan => "kn", Mal => "ml", Tha => "th",
        Vie => "vi", Ind => "id", Tgl => "tl", Cmn => "zh", Jpn => "ja", Kor => "ko", Afr => "af",
        Bel => "be", Mkd => "mk", Kat => "ka", Hye => "hy", Aze => "az", Uzb => "uz", Epo => "eo",
        Lat => "la", Jav => "jv", Nep => "ne", Sin => "si", Khm => "km", Mya => "my", Amh => "am",
        Zul => "zu", Sna => "sn", Aka => "ak", Ori => "or", Tuk => "tk", Yid => "yi", Cym => "cy",
    };
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_words_decide_common_languages() {
        let nl = "De gemeenteraad heeft op dinsdag besloten om de oude brug te sluiten, nadat er scheuren werden gevonden. Het werk aan de nieuwe brug zal volgend jaar beginnen en er wordt ook een veerpont ingezet voor de fietsers.";
        assert_eq!(detect(nl), Some("nl"));
        let es = "El ayuntamiento decidió el martes cerrar el viejo puente después de que los inspectores encontraran grietas. Las obras del nuevo puente empezarán el próximo año y también habrá un barco para los ciclistas.";
        assert_eq!(detect(es), Some("es"));
        let ru = "Городской совет во вторник решил закрыть старый мост после того, как инспекторы обнаружили трещины.";
        assert_eq!(detect(ru), Some("ru"));
    }

    #[test]
    fn language_codes() {
        assert_eq!(detect("The council voted on Tuesday to close the old bridge after inspectors found cracks in the spring."), Some("en"));
        assert_eq!(detect("Der Stadtrat hat am Dienstag beschlossen, die alte Brücke zu schließen, nachdem Risse gefunden wurden."), Some("de"));
    }
}
