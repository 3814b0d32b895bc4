//! What the widget says to the person in front of it, in their language.
//!
//! The session picks a [`Message`]; [`Messages`] turns it (and the widget's
//! other labels) into words: built-in English, Swedish, Norwegian Bokmål,
//! Danish, Finnish and German, any of which the page may override key by key.
//! The words live here and nowhere else. Placeholders: `{provider}`,
//! `{code}`, `{time}`.

use crate::core::error::{digits, FailureKind};

/// A line of text the widget shows under the QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The create request is under way.
    Starting,
    /// A QR code is showing.
    ScanQr,
    /// A push was sent to the user's app; `code` is the one to compare.
    ConfirmInApp {
        /// The provider's own instruction, if it sent one (shown as is).
        text: Option<String>,
        /// The verification code the app also shows.
        code: Option<String>,
    },
    /// The user has acted; the provider is working.
    InProgress,
    /// The page is about to go to the provider.
    Redirecting,
    /// The provider opened in another tab or window.
    ContinueInOtherWindow,
    /// Requests are failing; the widget keeps trying.
    Reconnecting,
    /// Verified.
    Completed,
    /// It failed.
    Failed(FailureKind),
    /// Nobody finished in time.
    Expired,
    /// The provider needs a few details first (the form is showing).
    AskUserData,
    /// It was cancelled.
    Cancelled,
}

/// A built-in language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Swedish.
    Sv,
    /// Norwegian Bokmål (also chosen for `no` and `nn`).
    Nb,
    /// Danish.
    Da,
    /// Finnish.
    Fi,
    /// German.
    De,
}

impl Locale {
    /// The first built-in language among BCP 47 tags in order of preference
    /// (`sv-SE`, `nb`, …), else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Locale {
        for tag in tags {
            let primary = tag
                .trim()
                .split(['-', '_'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let found = match primary.as_str() {
                "en" => Locale::En,
                "sv" => Locale::Sv,
                "nb" | "no" | "nn" => Locale::Nb,
                "da" => Locale::Da,
                "fi" => Locale::Fi,
                "de" => Locale::De,
                _ => continue,
            };
            return found;
        }
        Locale::En
    }

    /// The BCP 47 tag, for the widget's `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Sv => "sv",
            Locale::Nb => "nb",
            Locale::Da => "da",
            Locale::Fi => "fi",
            Locale::De => "de",
        }
    }
}

/// Every overridable string, by the key a page uses in the `messages` option.
pub const KEYS: &[&str] = &[
    "title",
    "qrLabel",
    "starting",
    "scanQr",
    "confirmInApp",
    "verificationCode",
    "inProgress",
    "redirecting",
    "continueElsewhere",
    "reconnecting",
    "completed",
    "failedDeclined",
    "failedNetwork",
    "failedUnavailable",
    "failedSetup",
    "expired",
    "cancelled",
    "openApp",
    "continueInNewTab",
    "cancel",
    "tryAgain",
    "expiresIn",
    "expiresInMinutes",
    "userDataIntro",
    "registrationId",
    "phoneNumber",
    "personalCode",
    "formatHint",
    "invalidFormat",
    "continue",
];

/// en, sv, nb, da, fi, de for each key of [`KEYS`], in that order.
const TABLE: &[[&str; 6]] = &[
    // title
    ["Identify with {provider}", "Legitimera dig med {provider}", "Identifiser deg med {provider}", "Identificér dig med {provider}", "Tunnistaudu: {provider}", "Mit {provider} ausweisen"],
    // qrLabel
    ["QR code to scan with the {provider} app", "QR-kod att skanna med {provider}-appen", "QR-kode som skannes med {provider}-appen", "QR-kode, der scannes med {provider}-appen", "QR-koodi, jonka voit lukea {provider}-sovelluksella", "QR-Code zum Scannen mit der {provider}-App"],
    // starting
    ["Starting…", "Startar…", "Starter…", "Starter…", "Käynnistetään…", "Wird gestartet…"],
    // scanQr
    ["Open the {provider} app and scan the QR code.", "Öppna {provider}-appen och skanna QR-koden.", "Åpne {provider}-appen og skann QR-koden.", "Åbn {provider}-appen, og scan QR-koden.", "Avaa {provider}-sovellus ja lue QR-koodi.", "Öffnen Sie die {provider}-App und scannen Sie den QR-Code."],
    // confirmInApp
    ["Confirm the request in the {provider} app.", "Bekräfta begäran i {provider}-appen.", "Bekreft forespørselen i {provider}-appen.", "Bekræft anmodningen i {provider}-appen.", "Vahvista pyyntö {provider}-sovelluksessa.", "Bestätigen Sie die Anfrage in der {provider}-App."],
    // verificationCode
    ["Code: {code}", "Kod: {code}", "Kode: {code}", "Kode: {code}", "Koodi: {code}", "Code: {code}"],
    // inProgress
    ["Continue in the {provider} app…", "Fortsätt i {provider}-appen…", "Fortsett i {provider}-appen…", "Fortsæt i {provider}-appen…", "Jatka {provider}-sovelluksessa…", "Fahren Sie in der {provider}-App fort…"],
    // redirecting
    ["Taking you to {provider}…", "Du skickas till {provider}…", "Du sendes til {provider}…", "Du sendes videre til {provider}…", "Siirrytään palveluun {provider}…", "Sie werden zu {provider} weitergeleitet…"],
    // continueElsewhere
    ["Continue with {provider} in the window that opened.", "Fortsätt med {provider} i fönstret som öppnades.", "Fortsett med {provider} i vinduet som åpnet seg.", "Fortsæt med {provider} i vinduet, der blev åbnet.", "Jatka palvelussa {provider} avautuneessa ikkunassa.", "Fahren Sie mit {provider} im geöffneten Fenster fort."],
    // reconnecting
    ["Connection problem. Trying again…", "Anslutningsproblem. Försöker igen…", "Tilkoblingsproblem. Prøver igjen…", "Forbindelsesproblem. Prøver igen…", "Yhteysongelma. Yritetään uudelleen…", "Verbindungsproblem. Neuer Versuch…"],
    // completed
    ["You are verified.", "Du är legitimerad.", "Du er identifisert.", "Du er identificeret.", "Tunnistautuminen onnistui.", "Sie sind verifiziert."],
    // failedDeclined
    ["The verification was declined or did not succeed.", "Legitimeringen avbröts eller misslyckades.", "Identifiseringen ble avvist eller mislyktes.", "Identifikationen blev afvist eller mislykkedes.", "Tunnistautuminen hylättiin tai epäonnistui.", "Die Verifizierung wurde abgelehnt oder ist fehlgeschlagen."],
    // failedNetwork
    ["Could not reach the verification service. Check your connection and try again.", "Det gick inte att nå legitimeringstjänsten. Kontrollera anslutningen och försök igen.", "Fikk ikke kontakt med identifiseringstjenesten. Sjekk tilkoblingen og prøv igjen.", "Kunne ikke få forbindelse til identifikationstjenesten. Tjek din forbindelse, og prøv igen.", "Tunnistuspalveluun ei saatu yhteyttä. Tarkista yhteys ja yritä uudelleen.", "Der Verifizierungsdienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut."],
    // failedUnavailable
    ["{provider} is unavailable right now. Try again later.", "{provider} är inte tillgängligt just nu. Försök igen senare.", "{provider} er ikke tilgjengelig akkurat nå. Prøv igjen senere.", "{provider} er ikke tilgængelig lige nu. Prøv igen senere.", "{provider} ei ole juuri nyt käytettävissä. Yritä myöhemmin uudelleen.", "{provider} ist gerade nicht verfügbar. Versuchen Sie es später erneut."],
    // failedSetup
    ["Verification is not available right now. If this continues, contact the site.", "Legitimering är inte tillgänglig just nu. Kontakta webbplatsen om felet kvarstår.", "Identifisering er ikke tilgjengelig akkurat nå. Kontakt nettstedet hvis feilen vedvarer.", "Identifikation er ikke tilgængelig lige nu. Kontakt webstedet, hvis fejlen fortsætter.", "Tunnistautuminen ei ole juuri nyt käytettävissä. Ota yhteyttä sivustoon, jos vika jatkuu.", "Die Verifizierung ist gerade nicht verfügbar. Wenden Sie sich an die Website, falls das Problem bestehen bleibt."],
    // expired
    ["The verification expired.", "Legitimeringen har gått ut.", "Identifiseringen er utløpt.", "Identifikationen er udløbet.", "Tunnistautuminen vanheni.", "Die Verifizierung ist abgelaufen."],
    // cancelled
    ["The verification was cancelled.", "Legitimeringen avbröts.", "Identifiseringen ble avbrutt.", "Identifikationen blev annulleret.", "Tunnistautuminen peruttiin.", "Die Verifizierung wurde abgebrochen."],
    // openApp
    ["Open {provider} on this device", "Öppna {provider} på den här enheten", "Åpne {provider} på denne enheten", "Åbn {provider} på denne enhed", "Avaa {provider} tällä laitteella", "{provider} auf diesem Gerät öffnen"],
    // continueInNewTab
    ["Continue to {provider} in a new tab", "Fortsätt till {provider} i en ny flik", "Fortsett til {provider} i en ny fane", "Fortsæt til {provider} i en ny fane", "Jatka palveluun {provider} uudessa välilehdessä", "Weiter zu {provider} in einem neuen Tab"],
    // cancel
    ["Cancel", "Avbryt", "Avbryt", "Annullér", "Peruuta", "Abbrechen"],
    // tryAgain
    ["Try again", "Försök igen", "Prøv igjen", "Prøv igen", "Yritä uudelleen", "Erneut versuchen"],
    // expiresIn
    ["Expires in {time}", "Går ut om {time}", "Utløper om {time}", "Udløber om {time}", "Vanhenee {time} kuluttua", "Läuft ab in {time}"],
    // expiresInMinutes
    ["Expires in {time} min", "Går ut om {time} min", "Utløper om {time} min", "Udløber om {time} min", "Vanhenee {time} min kuluttua", "Läuft ab in {time} Min."],
    // userDataIntro
    ["{provider} needs a few details to start.", "{provider} behöver några uppgifter för att starta.", "{provider} trenger noen opplysninger for å starte.", "{provider} skal bruge nogle oplysninger for at starte.", "{provider} tarvitsee muutaman tiedon aloittaakseen.", "{provider} benötigt einige Angaben, um zu starten."],
    // registrationId
    ["Personal identification code", "Personlig identifieringskod", "Personlig identifikasjonskode", "Personligt identifikationsnummer", "Henkilötunnus", "Persönlicher Identifikationscode"],
    // phoneNumber
    ["Mobile phone number", "Mobilnummer", "Mobilnummer", "Mobilnummer", "Matkapuhelinnumero", "Mobilnummer"],
    // personalCode
    ["Personal code", "Personkod", "Personkode", "Personkode", "Henkilökoodi", "Personenkennzahl"],
    // formatHint
    ["Example: {code}", "Exempel: {code}", "Eksempel: {code}", "Eksempel: {code}", "Esimerkki: {code}", "Beispiel: {code}"],
    // invalidFormat
    ["Check the format. Example: {code}", "Kontrollera formatet. Exempel: {code}", "Sjekk formatet. Eksempel: {code}", "Tjek formatet. Eksempel: {code}", "Tarkista muoto. Esimerkki: {code}", "Prüfen Sie das Format. Beispiel: {code}"],
    // continue
    ["Continue", "Fortsätt", "Fortsett", "Fortsæt", "Jatka", "Weiter"],
];

/// `template` with every `{name}` replaced by `value`, without a general
/// string searcher (its tables cost the wasm more than this loop).
pub fn fill(template: &str, name: &str, value: &str) -> String {
    let mut out = String::with_capacity(template.len() + value.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        // `{` is one byte: both cuts fall on character boundaries.
        out.push_str(rest.get(..i).unwrap_or_default());
        let inner = rest.get(i + 1..).unwrap_or_default();
        match inner.strip_prefix(name).and_then(|r| r.strip_prefix('}')) {
            Some(after) => {
                out.push_str(value);
                rest = after;
            }
            None => {
                out.push('{');
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The display name of a provider id, for messages.
pub fn provider_name(id: &str) -> &str {
    match id {
        "bankidse" | "bankid-no" | "bankidno" => "BankID",
        "frejaid" => "Freja eID",
        "smartid" => "Smart-ID",
        "mitid" => "MitID",
        "idin" => "iDIN",
        "ftn" => "FTN",
        "spid-ig" => "SPID",
        "cmd" => "Chave Móvel Digital",
        "singpass" => "Singpass",
        "evrotrust" => "Evrotrust",
        "audkenni" => "Auðkenni",
        "skmobileid" => "Mobile-ID",
        other => other,
    }
}

/// The strings of one widget: a built-in language plus the page's overrides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Messages {
    locale: Option<Locale>,
    overrides: Vec<(String, String)>,
}

impl Messages {
    /// `overrides` maps [`KEYS`] to the page's own strings; unknown keys are
    /// refused so a typo does not go unnoticed.
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Result<Messages, String> {
        if let Some((unknown, _)) = overrides.iter().find(|(k, _)| !KEYS.contains(&k.as_str())) {
            return Err([
                "has no message \"",
                unknown,
                "\"; the keys are ",
                &KEYS.join(", "),
            ]
            .concat());
        }
        Ok(Messages {
            locale: Some(locale),
            overrides,
        })
    }

    /// The language in use.
    pub fn locale(&self) -> Locale {
        self.locale.unwrap_or(Locale::En)
    }

    /// The string for `key` with placeholders filled in.
    pub fn get(&self, key: &str, provider_id: &str) -> String {
        let own = self.overrides.iter().rev().find(|(k, _)| k == key);
        let template = match own {
            Some((_, own)) => own.as_str(),
            None => {
                let column = self.locale() as usize;
                KEYS.iter()
                    .position(|k| *k == key)
                    .and_then(|row| TABLE.get(row))
                    .and_then(|row| row.get(column))
                    .copied()
                    .unwrap_or(key)
            }
        };
        fill(template, "provider", provider_name(provider_id))
    }

    /// The words for a session's message.
    pub fn render(&self, message: &Message, provider_id: &str) -> String {
        let key = match message {
            // The code is shown on its own, large (see the view).
            Message::ConfirmInApp { text, .. } => {
                return text
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| self.get("confirmInApp", provider_id));
            }
            Message::Starting => "starting",
            Message::ScanQr => "scanQr",
            Message::InProgress => "inProgress",
            Message::Redirecting => "redirecting",
            Message::ContinueInOtherWindow => "continueElsewhere",
            Message::Reconnecting => "reconnecting",
            Message::Completed => "completed",
            Message::Failed(FailureKind::Declined) => "failedDeclined",
            Message::Failed(FailureKind::Network) => "failedNetwork",
            Message::Failed(FailureKind::Unavailable) => "failedUnavailable",
            Message::Failed(FailureKind::Setup) => "failedSetup",
            Message::Expired => "expired",
            Message::Cancelled => "cancelled",
            Message::AskUserData => "userDataIntro",
        };
        self.get(key, provider_id)
    }

    /// "Expires in 5 min" (whole minutes, rounded up) while more than a
    /// minute remains, then "Expires in 0:59" (seconds, rounded up).
    pub fn expires_in(&self, remaining: u64, provider_id: &str) -> String {
        if remaining > 60_000 {
            let minutes = digits(remaining.div_ceil(60_000));
            return fill(&self.get("expiresInMinutes", provider_id), "time", &minutes);
        }
        let seconds = remaining.div_ceil(1000);
        let mut time = digits(seconds / 60);
        time.push(':');
        if seconds % 60 < 10 {
            time.push('0');
        }
        time.push_str(&digits(seconds % 60));
        fill(&self.get("expiresIn", provider_id), "time", &time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_every_language() {
        assert_eq!(KEYS.len(), TABLE.len());
        for (key, row) in KEYS.iter().zip(TABLE) {
            for text in row {
                assert!(!text.is_empty(), "{key}");
            }
            let placeholders = |t: &str| ["{provider}", "{code}", "{time}"].map(|p| t.contains(p));
            assert!(
                row.iter().all(|t| placeholders(t) == placeholders(row[0])),
                "{key}: placeholders differ"
            );
        }
    }

    #[test]
    fn negotiates_the_language() {
        assert_eq!(Locale::negotiate(["sv-SE"]), Locale::Sv);
        assert_eq!(Locale::negotiate(["fr", "no"]), Locale::Nb);
        assert_eq!(Locale::negotiate(["DE_at"]), Locale::De);
        assert_eq!(Locale::negotiate(["fr", "ja"]), Locale::En);
        assert_eq!(Locale::negotiate([]), Locale::En);
    }

    #[test]
    fn renders_in_the_language_with_overrides() {
        let sv = Messages::new(Locale::Sv, Vec::new()).expect("valid");
        assert_eq!(
            sv.render(&Message::ScanQr, "bankidse"),
            "Öppna BankID-appen och skanna QR-koden."
        );
        assert_eq!(sv.expires_in(299_001, "bankidse"), "Går ut om 5 min");
        assert_eq!(sv.expires_in(240_000, "bankidse"), "Går ut om 4 min");
        assert_eq!(sv.expires_in(60_001, "bankidse"), "Går ut om 2 min");
        assert_eq!(sv.expires_in(60_000, "bankidse"), "Går ut om 1:00");
        assert_eq!(sv.expires_in(9_001, "bankidse"), "Går ut om 0:10");
        let own = Messages::new(
            Locale::En,
            [(
                "scanQr".to_owned(),
                "Scan with {provider}, please".to_owned(),
            )]
            .into(),
        )
        .expect("valid");
        assert_eq!(
            own.render(&Message::ScanQr, "frejaid"),
            "Scan with Freja eID, please"
        );
        assert_eq!(
            own.render(&Message::Expired, "frejaid"),
            "The verification expired."
        );
        let push = Message::ConfirmInApp {
            text: None,
            code: Some("1234".into()),
        };
        assert_eq!(
            own.render(&push, "smartid"),
            "Confirm the request in the Smart-ID app."
        );
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(
            fill("{provider} app, {provider}!", "provider", "X"),
            "X app, X!"
        );
        assert_eq!(fill("{time} {other} {", "time", "1"), "1 {other} {");
        assert_eq!(fill("Å{code}ö", "code", "é"), "Åéö");
    }

    #[test]
    fn refuses_unknown_keys() {
        let err = Messages::new(Locale::En, vec![("scanQR".to_owned(), "x".to_owned())])
            .expect_err("typo");
        assert!(err.contains("scanQr"), "{err}");
    }
}
