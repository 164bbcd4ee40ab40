//! Vocabulary of date expressions: month names (en, de, fr, es, it, pt, nl,
//! sv/da/no, pl, cs, ru, uk, tr, ro, hu, fi), weekday names (en, de, fr, es,
//! it, pt, nl), time-zone abbreviations and relative-time units. Kept apart
//! from the grammar so that adding a language is a table edit.

/// Month number (1–12) of a lower-cased month name or abbreviation.
pub(crate) fn month(w: &str) -> Option<u32> {
    let m = match w {
        // English
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        // German
        "januar" | "jänner" | "jän" => 1,
        "februar" => 2,
        "märz" | "mär" | "maerz" => 3,
        "mai" => 5,
        "juni" => 6,
        "juli" => 7,
        "oktober" | "okt" => 10,
        "dezember" | "dez" => 12,
        // French
        "janvier" | "janv" => 1,
        "février" | "fevrier" | "févr" | "fevr" | "fév" => 2,
        "mars" => 3,
        "avril" | "avr" => 4,
        "juin" => 6,
        "juillet" | "juil" => 7,
        "août" | "aout" => 8,
        "septembre" => 9,
        "octobre" => 10,
        "novembre" => 11,
        "décembre" | "decembre" | "déc" => 12,
        // Spanish
        "enero" | "ene" => 1,
        "febrero" => 2,
        "marzo" => 3,
        "abril" | "abr" => 4,
        "mayo" => 5,
        "junio" => 6,
        "julio" => 7,
        "agosto" | "ago" => 8,
        "septiembre" | "setiembre" => 9,
        "octubre" => 10,
        "noviembre" => 11,
        "diciembre" | "dic" => 12,
        // Italian
        "gennaio" | "gen" => 1,
        "febbraio" => 2,
        "aprile" => 4,
        "maggio" | "mag" => 5,
        "giugno" | "giu" => 6,
        "luglio" | "lug" => 7,
        "settembre" | "set" => 9,
        "ottobre" | "ott" => 10,
        "dicembre" => 12,
        // Portuguese
        "janeiro" => 1,
        "fevereiro" | "fev" => 2,
        "março" | "marco" => 3,
        "maio" => 5,
        "junho" => 6,
        "julho" => 7,
        "setembro" => 9,
        "outubro" | "out" => 10,
        "novembro" => 11,
        "dezembro" => 12,
        // Dutch
        "januari" => 1,
        "februari" => 2,
        "maart" | "mrt" => 3,
        "mei" => 5,
        "augustus" => 8,
        // Swedish, Danish, Norwegian (the rest as above)
        "maj" => 5,
        "augusti" => 8,
        "marts" => 3,
        "desember" => 12,
        // Polish (nominative and genitive)
        "styczeń" | "stycznia" => 1,
        "luty" | "lutego" => 2,
        "marzec" | "marca" => 3,
        "kwiecień" | "kwietnia" => 4,
        "maja" => 5,
        "czerwiec" | "czerwca" => 6,
        "lipiec" | "lipca" => 7,
        "sierpień" | "sierpnia" => 8,
        "wrzesień" | "września" => 9,
        "październik" | "października" => 10,
        "listopad" | "listopada" => 11,
        "grudzień" | "grudnia" => 12,
        // Czech (genitive)
        "ledna" | "leden" => 1,
        "února" | "únor" => 2,
        "března" | "březen" => 3,
        "dubna" | "duben" => 4,
        "května" | "květen" => 5,
        "června" | "červen" => 6,
        "července" | "červenec" => 7,
        "srpna" | "srpen" => 8,
        "září" => 9,
        "října" | "říjen" => 10,
        "listopadu" => 11,
        "prosince" | "prosinec" => 12,
        // Russian (genitive, nominative, abbreviations)
        "января" | "январь" | "янв" => 1,
        "февраля" | "февраль" | "фев" => 2,
        "марта" | "март" => 3,
        "апреля" | "апрель" | "апр" => 4,
        "мая" | "май" => 5,
        "июня" | "июнь" | "июн" => 6,
        "июля" | "июль" | "июл" => 7,
        "августа" | "август" | "авг" => 8,
        "сентября" | "сентябрь" | "сен" | "сент" => 9,
        "октября" | "октябрь" | "окт" => 10,
        "ноября" | "ноябрь" | "ноя" => 11,
        "декабря" | "декабрь" | "дек" => 12,
        // Ukrainian (genitive)
        "січня" => 1,
        "лютого" => 2,
        "березня" => 3,
        "квітня" => 4,
        "травня" => 5,
        "червня" => 6,
        "липня" => 7,
        "серпня" => 8,
        "вересня" => 9,
        "жовтня" => 10,
        "листопада" => 11,
        "грудня" => 12,
        // Turkish
        "ocak" => 1,
        "şubat" => 2,
        "mart" => 3,
        "nisan" => 4,
        "mayıs" => 5,
        "haziran" => 6,
        "temmuz" => 7,
        "ağustos" => 8,
        "eylül" => 9,
        "ekim" => 10,
        "kasım" => 11,
        "aralık" => 12,
        // Romanian
        "ianuarie" => 1,
        "februarie" => 2,
        "martie" => 3,
        "aprilie" => 4,
        "iunie" => 6,
        "iulie" => 7,
        "septembrie" => 9,
        "octombrie" => 10,
        "noiembrie" => 11,
        "decembrie" => 12,
        // Hungarian (year-first dates: "2020. január 28.")
        "január" => 1,
        "február" => 2,
        "március" => 3,
        "április" => 4,
        "május" => 5,
        "június" => 6,
        "július" => 7,
        "augusztus" => 8,
        "szeptember" => 9,
        "október" => 10,
        // Finnish (partitive: "28. tammikuuta 2020")
        "tammikuuta" => 1,
        "helmikuuta" => 2,
        "maaliskuuta" => 3,
        "huhtikuuta" => 4,
        "toukokuuta" => 5,
        "kesäkuuta" => 6,
        "heinäkuuta" => 7,
        "elokuuta" => 8,
        "syyskuuta" => 9,
        "lokakuuta" => 10,
        "marraskuuta" => 11,
        "joulukuuta" => 12,
        _ => return None,
    };
    Some(m)
}

/// Whether a lower-cased word names a weekday (skipped before a date).
pub(crate) fn is_weekday(w: &str) -> bool {
    matches!(
        w,
        "monday"
            | "mon"
            | "tuesday"
            | "tue"
            | "tues"
            | "wednesday"
            | "wed"
            | "thursday"
            | "thu"
            | "thur"
            | "thurs"
            | "friday"
            | "fri"
            | "saturday"
            | "sat"
            | "sunday"
            | "sun"
            | "montag"
            | "dienstag"
            | "mittwoch"
            | "donnerstag"
            | "freitag"
            | "samstag"
            | "sonntag"
            | "lundi"
            | "mardi"
            | "mercredi"
            | "jeudi"
            | "vendredi"
            | "samedi"
            | "dimanche"
            | "lunes"
            | "martes"
            | "miércoles"
            | "jueves"
            | "viernes"
            | "sábado"
            | "domingo"
            | "lunedì"
            | "martedì"
            | "mercoledì"
            | "giovedì"
            | "venerdì"
            | "sabato"
            | "domenica"
            | "segunda"
            | "terça"
            | "quarta"
            | "quinta"
            | "sexta"
            | "maandag"
            | "dinsdag"
            | "woensdag"
            | "donderdag"
            | "vrijdag"
            | "zaterdag"
            | "zondag"
    )
}

/// Small words that may sit between the parts of a date ("19 de mayo de
/// 2020", "le 3 mars", "the 4th of July").
pub(crate) fn is_date_filler(w: &str) -> bool {
    matches!(w, "de" | "del" | "of" | "the" | "le" | "el" | "il" | "den" | "der")
}

/// Words that may sit between a date and its time ("May 3, 2020 at 10:00").
pub(crate) fn is_time_joiner(w: &str) -> bool {
    matches!(w, "at" | "um" | "à" | "a" | "las" | "alle" | "ore" | "om" | "às" | "as" | "h" | "uhr")
}

/// What a zone abbreviation means: a fixed offset in minutes, or US time
/// with daylight saving decided by the date (`ET`, `PT`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    Fixed(i32),
    /// Standard offset in minutes; one hour more in US daylight time.
    UsDst(i32),
}

/// Meaning of a lower-cased zone abbreviation. IST is read as India
/// (+05:30), the common reading on English-language news sites.
pub(crate) fn zone(w: &str) -> Option<Zone> {
    use Zone::*;
    let z = match w {
        "utc" | "gmt" | "z" | "ut" | "wet" => Fixed(0),
        "est" => Fixed(-300),
        "edt" => Fixed(-240),
        "cst" => Fixed(-360),
        "cdt" => Fixed(-300),
        "mst" => Fixed(-420),
        "mdt" => Fixed(-360),
        "pst" => Fixed(-480),
        "pdt" => Fixed(-420),
        "akst" => Fixed(-540),
        "akdt" => Fixed(-480),
        "hst" => Fixed(-600),
        "ast" => Fixed(-240),
        "adt" => Fixed(-180),
        "nst" => Fixed(-210),
        "et" => UsDst(-300),
        "ct" => UsDst(-360),
        "mt" => UsDst(-420),
        "pt" => UsDst(-480),
        "bst" | "west" | "cet" | "met" | "mez" | "wat" => Fixed(60),
        "cest" | "mesz" | "eet" | "sast" | "cat" => Fixed(120),
        "eest" | "msk" | "eat" => Fixed(180),
        "gst" => Fixed(240),
        "pkt" => Fixed(300),
        "ist" => Fixed(330),
        "wib" => Fixed(420),
        "hkt" | "sgt" | "pht" | "awst" => Fixed(480),
        "jst" | "kst" => Fixed(540),
        "acst" => Fixed(570),
        "aest" => Fixed(600),
        "aedt" => Fixed(660),
        "nzst" => Fixed(720),
        "nzdt" => Fixed(780),
        _ => return None,
    };
    Some(z)
}

/// Unit of a relative expression ("3 hours ago").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// Unit named by a lower-cased word, in the supported languages.
pub(crate) fn unit(w: &str) -> Option<Unit> {
    use Unit::*;
    let u = match w {
        "s" | "sec" | "secs" | "second" | "seconds" | "sekunde" | "sekunden" | "seconde" | "secondes" | "segundo"
        | "segundos" | "secondo" | "secondi" | "seconden" => Second,
        "m" | "min" | "mins" | "minute" | "minutes" | "minuten" | "minuto" | "minutos" | "minuti" => Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" | "stunde" | "stunden" | "std" | "heure" | "heures" | "hora"
        | "horas" | "ora" | "ore" | "uur" => Hour,
        "d" | "day" | "days" | "tag" | "tagen" | "tage" | "jour" | "jours" | "día" | "días" | "dia" | "dias"
        | "giorno" | "giorni" | "dag" | "dagen" => Day,
        "w" | "wk" | "wks" | "week" | "weeks" | "woche" | "wochen" | "semaine" | "semaines" | "semana" | "semanas"
        | "settimana" | "settimane" | "weken" => Week,
        "mo" | "mos" | "month" | "months" | "monat" | "monaten" | "mois" | "mes" | "meses" | "mese" | "mesi"
        | "maand" | "maanden" => Month,
        "y" | "yr" | "yrs" | "year" | "years" | "jahr" | "jahren" | "an" | "ans" | "año" | "años" | "ano" | "anos"
        | "anno" | "anni" | "jaar" => Year,
        _ => return None,
    };
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_cover_languages() {
        assert_eq!(month("märz"), Some(3));
        assert_eq!(month("août"), Some(8));
        assert_eq!(month("diciembre"), Some(12));
        assert_eq!(month("maggio"), Some(5));
        assert_eq!(month("outubro"), Some(10));
        assert_eq!(month("mrt"), Some(3));
        assert_eq!(month("foo"), None);
        assert!(is_weekday("tue"));
        assert_eq!(zone("cest"), Some(Zone::Fixed(120)));
        assert_eq!(zone("et"), Some(Zone::UsDst(-300)));
        assert_eq!(unit("mins"), Some(Unit::Minute));
        assert_eq!(unit("stunden"), Some(Unit::Hour));
    }
}
