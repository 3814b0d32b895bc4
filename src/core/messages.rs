//! What the widget says to the person in front of it, in their language.
//!
//! The session picks a [`Message`]; [`Messages`] turns it (and the widget's
//! other labels, each a [`Text`]) into words: built-in English, Swedish,
//! Norwegian Bokmål, Danish, Finnish and German, any of which the page may
//! override by the text's key (the only place keys are strings).
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

/// A built-in language (in the order of the rows of `TEXTS`).
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

/// Primary language subtags (one string, split at spaces: no table of string
/// pointers in the wasm) and the built-in language each picks.
const LANGUAGE_TAGS: &str = "en sv nb no nn da fi de";
const LANGUAGES: [Locale; 8] = [
    Locale::En,
    Locale::Sv,
    Locale::Nb,
    Locale::Nb,
    Locale::Nb,
    Locale::Da,
    Locale::Fi,
    Locale::De,
];

impl Locale {
    /// The first built-in language among BCP 47 tags in order of preference
    /// (`sv-SE`, `nb`, …), else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Locale {
        tags.into_iter()
            .find_map(Locale::of_tag)
            .unwrap_or(Locale::En)
    }

    /// The built-in language of one BCP 47 tag (its primary subtag, any case).
    #[inline(never)]
    fn of_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim();
        let end = tag.bytes().position(|c| c == b'-' || c == b'_');
        let primary = tag.get(..end.unwrap_or(tag.len()))?;
        let i = LANGUAGE_TAGS
            .split(' ')
            .position(|t| t.eq_ignore_ascii_case(primary))?;
        LANGUAGES.get(i).copied()
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

/// Every text the widget shows, one variant per key of the `messages`
/// option. Each language is one string of [`Text::COUNT`] lines, one per
/// text (a test fails when a language misses one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// The heading: "Identify with {provider}".
    Title,
    /// The QR code's accessible name.
    QrLabel,
    /// [`Message::Starting`].
    Starting,
    /// [`Message::ScanQr`].
    ScanQr,
    /// [`Message::ConfirmInApp`] when the provider sent no text of its own.
    ConfirmInApp,
    /// The label of the code shown during a push (`{code}` left empty).
    VerificationCode,
    /// [`Message::InProgress`].
    InProgress,
    /// [`Message::Redirecting`].
    Redirecting,
    /// [`Message::ContinueInOtherWindow`].
    ContinueElsewhere,
    /// [`Message::Reconnecting`].
    Reconnecting,
    /// [`Message::Completed`].
    Completed,
    /// [`Message::Failed`] with [`FailureKind::Declined`].
    FailedDeclined,
    /// [`Message::Failed`] with [`FailureKind::Network`].
    FailedNetwork,
    /// [`Message::Failed`] with [`FailureKind::Unavailable`].
    FailedUnavailable,
    /// [`Message::Failed`] with [`FailureKind::Setup`].
    FailedSetup,
    /// [`Message::Expired`].
    Expired,
    /// [`Message::Cancelled`].
    Cancelled,
    /// The link that opens the app on this device.
    OpenApp,
    /// The link shown when a pop-up was blocked.
    ContinueInNewTab,
    /// The Cancel button.
    Cancel,
    /// The Try again button.
    TryAgain,
    /// The countdown in the last minute (`{time}` is `0:59`).
    ExpiresIn,
    /// The countdown before the last minute (`{time}` is whole minutes).
    ExpiresInMinutes,
    /// [`Message::AskUserData`].
    UserDataIntro,
    /// Smart-ID's field label in the user-data form.
    RegistrationId,
    /// Mobile-ID's phone number label in the user-data form.
    PhoneNumber,
    /// Mobile-ID's personal code label in the user-data form.
    PersonalCode,
    /// A form field's hint (`{code}` is a valid example).
    FormatHint,
    /// A refused form field's hint (`{code}` is a valid example).
    InvalidFormat,
    /// The user-data form's submit button.
    Continue,
}

impl Text {
    /// How many texts there are.
    pub const COUNT: usize = Text::Continue as usize + 1;

    /// Every text, in declaration order (the array's length is checked
    /// against [`Text::COUNT`], its order by a test).
    pub const ALL: [Text; Text::COUNT] = [
        Text::Title,
        Text::QrLabel,
        Text::Starting,
        Text::ScanQr,
        Text::ConfirmInApp,
        Text::VerificationCode,
        Text::InProgress,
        Text::Redirecting,
        Text::ContinueElsewhere,
        Text::Reconnecting,
        Text::Completed,
        Text::FailedDeclined,
        Text::FailedNetwork,
        Text::FailedUnavailable,
        Text::FailedSetup,
        Text::Expired,
        Text::Cancelled,
        Text::OpenApp,
        Text::ContinueInNewTab,
        Text::Cancel,
        Text::TryAgain,
        Text::ExpiresIn,
        Text::ExpiresInMinutes,
        Text::UserDataIntro,
        Text::RegistrationId,
        Text::PhoneNumber,
        Text::PersonalCode,
        Text::FormatHint,
        Text::InvalidFormat,
        Text::Continue,
    ];

    /// The key a page uses for it in the `messages` option (public API:
    /// `MessageKey` in `index.d.ts`).
    pub fn key(self) -> &'static str {
        KEYS.split(' ').nth(self as usize).unwrap_or_default()
    }

    /// The text a page's `messages` key names.
    pub fn from_key(key: &str) -> Option<Text> {
        let i = KEYS.split(' ').position(|k| k == key)?;
        Text::ALL.get(i).copied()
    }

    /// The built-in words in `locale`, placeholders unfilled.
    pub fn template(self, locale: Locale) -> &'static str {
        TEXTS
            .get(locale as usize)
            .and_then(|texts| texts.split('\n').nth(self as usize))
            .unwrap_or_default()
    }
}

/// The `messages` option's keys, by [`Text`], one string split at spaces (no
/// table of string pointers in the wasm; a test checks the count).
const KEYS: &str = "title \
    qrLabel \
    starting \
    scanQr \
    confirmInApp \
    verificationCode \
    inProgress \
    redirecting \
    continueElsewhere \
    reconnecting \
    completed \
    failedDeclined \
    failedNetwork \
    failedUnavailable \
    failedSetup \
    expired \
    cancelled \
    openApp \
    continueInNewTab \
    cancel \
    tryAgain \
    expiresIn \
    expiresInMinutes \
    userDataIntro \
    registrationId \
    phoneNumber \
    personalCode \
    formatHint \
    invalidFormat \
    continue";

/// The built-in words by [`Locale`], then by [`Text`]: one string per
/// language, a line per text in [`Text::ALL`]'s order (no table of string
/// pointers in the wasm; a test checks every language has every text).
const TEXTS: [&str; 6] = [EN, SV, NB, DA, FI, DE];

/// English.
const EN: &str = "\
    Identify with {provider}\n\
    QR code to scan with the {provider} app\n\
    Starting…\n\
    Open the {provider} app and scan the QR code.\n\
    Confirm the request in the {provider} app.\n\
    Code: {code}\n\
    Continue in the {provider} app…\n\
    Taking you to {provider}…\n\
    Continue with {provider} in the window that opened.\n\
    Connection problem. Trying again…\n\
    You are verified.\n\
    The verification was declined or did not succeed.\n\
    Could not reach the verification service. Check your connection and try again.\n\
    {provider} is unavailable right now. Try again later.\n\
    Verification is not available right now. If this continues, contact the site.\n\
    The verification expired.\n\
    The verification was cancelled.\n\
    Open {provider} on this device\n\
    Continue to {provider} in a new tab\n\
    Cancel\n\
    Try again\n\
    Expires in {time}\n\
    Expires in {time} min\n\
    {provider} needs a few details to start.\n\
    Personal identification code\n\
    Mobile phone number\n\
    Personal code\n\
    Example: {code}\n\
    Check the format. Example: {code}\n\
    Continue";

/// Swedish.
const SV: &str = "\
    Legitimera dig med {provider}\n\
    QR-kod att skanna med {provider}-appen\n\
    Startar…\n\
    Öppna {provider}-appen och skanna QR-koden.\n\
    Bekräfta begäran i {provider}-appen.\n\
    Kod: {code}\n\
    Fortsätt i {provider}-appen…\n\
    Du skickas till {provider}…\n\
    Fortsätt med {provider} i fönstret som öppnades.\n\
    Anslutningsproblem. Försöker igen…\n\
    Du är legitimerad.\n\
    Legitimeringen avbröts eller misslyckades.\n\
    Det gick inte att nå legitimeringstjänsten. Kontrollera anslutningen och försök igen.\n\
    {provider} är inte tillgängligt just nu. Försök igen senare.\n\
    Legitimering är inte tillgänglig just nu. Kontakta webbplatsen om felet kvarstår.\n\
    Legitimeringen har gått ut.\n\
    Legitimeringen avbröts.\n\
    Öppna {provider} på den här enheten\n\
    Fortsätt till {provider} i en ny flik\n\
    Avbryt\n\
    Försök igen\n\
    Går ut om {time}\n\
    Går ut om {time} min\n\
    {provider} behöver några uppgifter för att starta.\n\
    Personlig identifieringskod\n\
    Mobilnummer\n\
    Personkod\n\
    Exempel: {code}\n\
    Kontrollera formatet. Exempel: {code}\n\
    Fortsätt";

/// Norwegian Bokmål.
const NB: &str = "\
    Identifiser deg med {provider}\n\
    QR-kode som skannes med {provider}-appen\n\
    Starter…\n\
    Åpne {provider}-appen og skann QR-koden.\n\
    Bekreft forespørselen i {provider}-appen.\n\
    Kode: {code}\n\
    Fortsett i {provider}-appen…\n\
    Du sendes til {provider}…\n\
    Fortsett med {provider} i vinduet som åpnet seg.\n\
    Tilkoblingsproblem. Prøver igjen…\n\
    Du er identifisert.\n\
    Identifiseringen ble avvist eller mislyktes.\n\
    Fikk ikke kontakt med identifiseringstjenesten. Sjekk tilkoblingen og prøv igjen.\n\
    {provider} er ikke tilgjengelig akkurat nå. Prøv igjen senere.\n\
    Identifisering er ikke tilgjengelig akkurat nå. Kontakt nettstedet hvis feilen vedvarer.\n\
    Identifiseringen er utløpt.\n\
    Identifiseringen ble avbrutt.\n\
    Åpne {provider} på denne enheten\n\
    Fortsett til {provider} i en ny fane\n\
    Avbryt\n\
    Prøv igjen\n\
    Utløper om {time}\n\
    Utløper om {time} min\n\
    {provider} trenger noen opplysninger for å starte.\n\
    Personlig identifikasjonskode\n\
    Mobilnummer\n\
    Personkode\n\
    Eksempel: {code}\n\
    Sjekk formatet. Eksempel: {code}\n\
    Fortsett";

/// Danish.
const DA: &str = "\
    Identificér dig med {provider}\n\
    QR-kode, der scannes med {provider}-appen\n\
    Starter…\n\
    Åbn {provider}-appen, og scan QR-koden.\n\
    Bekræft anmodningen i {provider}-appen.\n\
    Kode: {code}\n\
    Fortsæt i {provider}-appen…\n\
    Du sendes videre til {provider}…\n\
    Fortsæt med {provider} i vinduet, der blev åbnet.\n\
    Forbindelsesproblem. Prøver igen…\n\
    Du er identificeret.\n\
    Identifikationen blev afvist eller mislykkedes.\n\
    Kunne ikke få forbindelse til identifikationstjenesten. Tjek din forbindelse, og prøv igen.\n\
    {provider} er ikke tilgængelig lige nu. Prøv igen senere.\n\
    Identifikation er ikke tilgængelig lige nu. Kontakt webstedet, hvis fejlen fortsætter.\n\
    Identifikationen er udløbet.\n\
    Identifikationen blev annulleret.\n\
    Åbn {provider} på denne enhed\n\
    Fortsæt til {provider} i en ny fane\n\
    Annullér\n\
    Prøv igen\n\
    Udløber om {time}\n\
    Udløber om {time} min\n\
    {provider} skal bruge nogle oplysninger for at starte.\n\
    Personligt identifikationsnummer\n\
    Mobilnummer\n\
    Personkode\n\
    Eksempel: {code}\n\
    Tjek formatet. Eksempel: {code}\n\
    Fortsæt";

/// Finnish.
const FI: &str = "\
    Tunnistaudu: {provider}\n\
    QR-koodi, jonka voit lukea {provider}-sovelluksella\n\
    Käynnistetään…\n\
    Avaa {provider}-sovellus ja lue QR-koodi.\n\
    Vahvista pyyntö {provider}-sovelluksessa.\n\
    Koodi: {code}\n\
    Jatka {provider}-sovelluksessa…\n\
    Siirrytään palveluun {provider}…\n\
    Jatka palvelussa {provider} avautuneessa ikkunassa.\n\
    Yhteysongelma. Yritetään uudelleen…\n\
    Tunnistautuminen onnistui.\n\
    Tunnistautuminen hylättiin tai epäonnistui.\n\
    Tunnistuspalveluun ei saatu yhteyttä. Tarkista yhteys ja yritä uudelleen.\n\
    {provider} ei ole juuri nyt käytettävissä. Yritä myöhemmin uudelleen.\n\
    Tunnistautuminen ei ole juuri nyt käytettävissä. Ota yhteyttä sivustoon, jos vika jatkuu.\n\
    Tunnistautuminen vanheni.\n\
    Tunnistautuminen peruttiin.\n\
    Avaa {provider} tällä laitteella\n\
    Jatka palveluun {provider} uudessa välilehdessä\n\
    Peruuta\n\
    Yritä uudelleen\n\
    Vanhenee {time} kuluttua\n\
    Vanhenee {time} min kuluttua\n\
    {provider} tarvitsee muutaman tiedon aloittaakseen.\n\
    Henkilötunnus\n\
    Matkapuhelinnumero\n\
    Henkilökoodi\n\
    Esimerkki: {code}\n\
    Tarkista muoto. Esimerkki: {code}\n\
    Jatka";

/// German.
const DE: &str = "\
    Mit {provider} ausweisen\n\
    QR-Code zum Scannen mit der {provider}-App\n\
    Wird gestartet…\n\
    Öffnen Sie die {provider}-App und scannen Sie den QR-Code.\n\
    Bestätigen Sie die Anfrage in der {provider}-App.\n\
    Code: {code}\n\
    Fahren Sie in der {provider}-App fort…\n\
    Sie werden zu {provider} weitergeleitet…\n\
    Fahren Sie mit {provider} im geöffneten Fenster fort.\n\
    Verbindungsproblem. Neuer Versuch…\n\
    Sie sind verifiziert.\n\
    Die Verifizierung wurde abgelehnt oder ist fehlgeschlagen.\n\
    Der Verifizierungsdienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.\n\
    {provider} ist gerade nicht verfügbar. Versuchen Sie es später erneut.\n\
    Die Verifizierung ist gerade nicht verfügbar. Wenden Sie sich an die Website, falls das Problem bestehen bleibt.\n\
    Die Verifizierung ist abgelaufen.\n\
    Die Verifizierung wurde abgebrochen.\n\
    {provider} auf diesem Gerät öffnen\n\
    Weiter zu {provider} in einem neuen Tab\n\
    Abbrechen\n\
    Erneut versuchen\n\
    Läuft ab in {time}\n\
    Läuft ab in {time} Min.\n\
    {provider} benötigt einige Angaben, um zu starten.\n\
    Persönlicher Identifikationscode\n\
    Mobilnummer\n\
    Personenkennzahl\n\
    Beispiel: {code}\n\
    Prüfen Sie das Format. Beispiel: {code}\n\
    Weiter";

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
    PROVIDER_NAMES
        .split('\n')
        .find_map(|line| line.split_once(' ').filter(|(i, _)| *i == id))
        .map_or(id, |(_, name)| name)
}

/// Provider ids and their display names, a line each (no table of string
/// pointers in the wasm).
const PROVIDER_NAMES: &str = "\
    bankidse BankID\n\
    bankid-no BankID\n\
    bankidno BankID\n\
    frejaid Freja eID\n\
    smartid Smart-ID\n\
    mitid MitID\n\
    idin iDIN\n\
    ftn FTN\n\
    spid-ig SPID\n\
    cmd Chave Móvel Digital\n\
    singpass Singpass\n\
    evrotrust Evrotrust\n\
    audkenni Auðkenni\n\
    skmobileid Mobile-ID";

/// Whether every key of a page's `messages` names a [`Text`]; else what to
/// fix (a typo must not go unnoticed).
pub fn check_keys(overrides: &[(String, String)]) -> Result<(), String> {
    let Some((unknown, _)) = overrides.iter().find(|(k, _)| Text::from_key(k).is_none()) else {
        return Ok(());
    };
    let mut why = crate::core::cat(&["has no message \"", unknown, "\"; the keys are "]);
    for (i, key) in KEYS.split(' ').enumerate() {
        why.push_str(if i == 0 { "" } else { ", " });
        why.push_str(key);
    }
    Err(why)
}

/// The strings of one widget: a built-in language plus the page's overrides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Messages {
    locale: Option<Locale>,
    overrides: Vec<(Text, String)>,
}

impl Messages {
    /// `overrides` maps [`Text::key`]s to the page's own strings; unknown keys
    /// are refused so a typo does not go unnoticed.
    pub fn new(locale: Locale, overrides: &[(String, String)]) -> Result<Messages, String> {
        check_keys(overrides)?;
        let mut own = Vec::new();
        for (key, text) in overrides {
            if let Some(key) = Text::from_key(key) {
                own.push((key, text.clone()));
            }
        }
        Ok(Messages {
            locale: Some(locale),
            overrides: own,
        })
    }

    /// The language in use.
    pub fn locale(&self) -> Locale {
        self.locale.unwrap_or(Locale::En)
    }

    /// `text` in the page's words or the language's, with `{provider}` filled in.
    pub fn get(&self, text: Text, provider_id: &str) -> String {
        let template = match self.overrides.iter().rev().find(|(t, _)| *t == text) {
            Some((_, own)) => own.as_str(),
            None => text.template(self.locale()),
        };
        fill(template, "provider", provider_name(provider_id))
    }

    /// The words for a session's message.
    pub fn render(&self, message: &Message, provider_id: &str) -> String {
        let text = match message {
            // The code is shown on its own, large (see the view).
            Message::ConfirmInApp { text, .. } => {
                return text
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| self.get(Text::ConfirmInApp, provider_id));
            }
            Message::Starting => Text::Starting,
            Message::ScanQr => Text::ScanQr,
            Message::InProgress => Text::InProgress,
            Message::Redirecting => Text::Redirecting,
            Message::ContinueInOtherWindow => Text::ContinueElsewhere,
            Message::Reconnecting => Text::Reconnecting,
            Message::Completed => Text::Completed,
            Message::Failed(FailureKind::Declined) => Text::FailedDeclined,
            Message::Failed(FailureKind::Network) => Text::FailedNetwork,
            Message::Failed(FailureKind::Unavailable) => Text::FailedUnavailable,
            Message::Failed(FailureKind::Setup) => Text::FailedSetup,
            Message::Expired => Text::Expired,
            Message::Cancelled => Text::Cancelled,
            Message::AskUserData => Text::UserDataIntro,
        };
        self.get(text, provider_id)
    }

    /// "Expires in 5 min" (whole minutes, rounded up) while more than a
    /// minute remains, then "Expires in 0:59" (seconds, rounded up).
    pub fn expires_in(&self, remaining: u64, provider_id: &str) -> String {
        if remaining > 60_000 {
            let minutes = digits(remaining.div_ceil(60_000));
            return fill(
                &self.get(Text::ExpiresInMinutes, provider_id),
                "time",
                &minutes,
            );
        }
        let seconds = remaining.div_ceil(1000);
        let mut time = digits(seconds / 60);
        time.push(':');
        if seconds % 60 < 10 {
            time.push('0');
        }
        time.push_str(&digits(seconds % 60));
        fill(&self.get(Text::ExpiresIn, provider_id), "time", &time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCALES: [Locale; 6] = [
        Locale::En,
        Locale::Sv,
        Locale::Nb,
        Locale::Da,
        Locale::Fi,
        Locale::De,
    ];

    #[test]
    fn every_language_has_every_text() {
        let placeholders = |t: &str| ["{provider}", "{code}", "{time}"].map(|p| t.contains(p));
        for text in Text::ALL {
            let english = text.template(Locale::En);
            for locale in LOCALES {
                let words = text.template(locale);
                assert!(!words.trim().is_empty(), "{text:?} in {}", locale.tag());
                assert_eq!(
                    placeholders(words),
                    placeholders(english),
                    "{text:?} in {}: placeholders differ from English",
                    locale.tag()
                );
            }
        }
    }

    #[test]
    fn names_providers() {
        assert_eq!(provider_name("bankidse"), "BankID");
        assert_eq!(provider_name("frejaid"), "Freja eID");
        assert_eq!(provider_name("cmd"), "Chave Móvel Digital");
        assert_eq!(provider_name("skmobileid"), "Mobile-ID");
        assert_eq!(provider_name("unknown-id"), "unknown-id");
        assert_eq!(provider_name("bankid"), "bankid");
        assert_eq!(provider_name(""), "");
    }

    #[test]
    fn every_table_has_one_line_per_text() {
        assert_eq!(KEYS.split(' ').count(), Text::COUNT);
        for texts in TEXTS {
            assert_eq!(texts.split('\n').count(), Text::COUNT, "{texts}");
        }
    }

    #[test]
    fn each_language_has_its_own_words() {
        let cancel = LOCALES.map(|l| Text::Cancel.template(l));
        assert_eq!(
            cancel,
            [
                "Cancel",
                "Avbryt",
                "Avbryt",
                "Annullér",
                "Peruuta",
                "Abbrechen"
            ]
        );
        let title = LOCALES.map(|l| Text::Title.template(l));
        assert_eq!(title[5], "Mit {provider} ausweisen");
        assert_eq!(
            Text::Continue.template(Locale::Fi),
            "Jatka",
            "the last text of the last array but one"
        );
    }

    #[test]
    fn every_page_key_names_its_text() {
        // `ALL` holds each variant once, in order.
        for (i, text) in Text::ALL.into_iter().enumerate() {
            assert_eq!(text as usize, i, "{text:?}");
            assert_eq!(Text::from_key(text.key()), Some(text), "{text:?}");
        }
        // The public keys, as the `messages` option has always taken them.
        let keys = [
            ("title", Text::Title),
            ("qrLabel", Text::QrLabel),
            ("starting", Text::Starting),
            ("scanQr", Text::ScanQr),
            ("confirmInApp", Text::ConfirmInApp),
            ("verificationCode", Text::VerificationCode),
            ("inProgress", Text::InProgress),
            ("redirecting", Text::Redirecting),
            ("continueElsewhere", Text::ContinueElsewhere),
            ("reconnecting", Text::Reconnecting),
            ("completed", Text::Completed),
            ("failedDeclined", Text::FailedDeclined),
            ("failedNetwork", Text::FailedNetwork),
            ("failedUnavailable", Text::FailedUnavailable),
            ("failedSetup", Text::FailedSetup),
            ("expired", Text::Expired),
            ("cancelled", Text::Cancelled),
            ("openApp", Text::OpenApp),
            ("continueInNewTab", Text::ContinueInNewTab),
            ("cancel", Text::Cancel),
            ("tryAgain", Text::TryAgain),
            ("expiresIn", Text::ExpiresIn),
            ("expiresInMinutes", Text::ExpiresInMinutes),
            ("userDataIntro", Text::UserDataIntro),
            ("registrationId", Text::RegistrationId),
            ("phoneNumber", Text::PhoneNumber),
            ("personalCode", Text::PersonalCode),
            ("formatHint", Text::FormatHint),
            ("invalidFormat", Text::InvalidFormat),
            ("continue", Text::Continue),
        ];
        assert_eq!(keys.len(), Text::COUNT);
        for (key, text) in keys {
            assert_eq!(Text::from_key(key), Some(text), "{key}");
            assert_eq!(text.key(), key);
        }
        assert_eq!(Text::from_key("scanQR"), None);
        assert_eq!(Text::from_key(""), None);
        // Every key `index.d.ts` types (`MessageKey`) is one the widget takes.
        let dts = include_str!("../../js/index.d.ts");
        let union = dts
            .split("export type MessageKey =")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .expect("index.d.ts declares MessageKey");
        let typed: Vec<&str> = union.split('"').skip(1).step_by(2).collect();
        assert!(typed.len() > 20, "{typed:?}");
        for key in typed {
            assert!(Text::from_key(key).is_some(), "index.d.ts: {key}");
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
        let sv = Messages::new(Locale::Sv, &[]).expect("valid");
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
            &[(
                "scanQr".to_owned(),
                "Scan with {provider}, please".to_owned(),
            )],
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
        let err =
            Messages::new(Locale::En, &[("scanQR".to_owned(), "x".to_owned())]).expect_err("typo");
        assert!(err.contains("scanQr"), "{err}");
    }
}
