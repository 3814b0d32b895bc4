//! Providers that need data from the user before a verification can start
//! (Hopae's create takes `userData`; without the required fields it answers
//! 400): which fields, their format, and the check the form runs inline.

use crate::core::messages::Text;

/// One field of the user-data form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The `userData` member it fills.
    pub name: &'static str,
    /// Its label.
    pub label: Text,
    /// A valid example, shown as the format hint.
    pub example: &'static str,
    /// `inputmode` for on-screen keyboards.
    pub input_mode: &'static str,
    /// The documented format of its values.
    pub format: Format,
}

/// A field's documented format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Smart-ID's `PNOEE-30303039914`.
    RegistrationId,
    /// `+` and 7 to 15 digits.
    PhoneNumber,
    /// 11 digits.
    PersonalCode,
}

impl Field {
    /// Whether a value has the documented format (after [`normalize`]).
    pub fn valid(&self, value: &str) -> bool {
        match self.format {
            Format::RegistrationId => registration_id(value),
            Format::PhoneNumber => phone_number(value),
            Format::PersonalCode => personal_code(value),
        }
    }
}

/// Smart-ID's semantics identifier: `PNO` (or `PAS`, `IDC`), a country, `-`, the code.
fn registration_id(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 7
        && b.len() <= 40
        && (v.starts_with("PNO") || v.starts_with("PAS") || v.starts_with("IDC"))
        && b.get(3..5)
            .is_some_and(|c| c.iter().all(u8::is_ascii_uppercase))
        && b.get(5) == Some(&b'-')
        && b.get(6..)
            .is_some_and(|r| r.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'))
}

/// An international phone number: `+` and 7 to 15 digits.
fn phone_number(v: &str) -> bool {
    v.strip_prefix('+')
        .is_some_and(|d| (7..=15).contains(&d.len()) && d.bytes().all(|c| c.is_ascii_digit()))
}

/// A Baltic personal code: 11 digits.
fn personal_code(v: &str) -> bool {
    v.len() == 11 && v.bytes().all(|c| c.is_ascii_digit())
}

const SMART_ID: &[Field] = &[Field {
    name: "registrationId",
    label: Text::RegistrationId,
    example: "PNOEE-30303039914",
    input_mode: "text",
    format: Format::RegistrationId,
}];

const MOBILE_ID: &[Field] = &[
    Field {
        name: "phoneNumber",
        label: Text::PhoneNumber,
        example: "+37200000766",
        input_mode: "tel",
        format: Format::PhoneNumber,
    },
    Field {
        // Hopae's name for it (user-data requirements); shown as "personal code".
        name: "nationalIdentityNumber",
        label: Text::PersonalCode,
        example: "60001019906",
        input_mode: "numeric",
        format: Format::PersonalCode,
    },
];

/// The fields a provider requires; empty for providers that need none.
pub fn fields(provider_id: &str) -> &'static [Field] {
    match provider_id {
        "smartid" => SMART_ID,
        "skmobileid" => MOBILE_ID,
        _ => &[],
    }
}

/// What the person typed, as the provider expects it: no spaces, and upper
/// case for identifiers.
pub fn normalize(field: &Field, value: &str) -> String {
    // A plain loop: `filter` + `collect` cost the wasm more.
    let upper = field.format == Format::RegistrationId;
    let mut v = String::with_capacity(value.len());
    for c in value.chars() {
        if !c.is_whitespace() {
            v.push(if upper { c.to_ascii_uppercase() } else { c });
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_each_documented_format() {
        let [smart] = fields("smartid") else { panic!() };
        assert!(smart.valid(&normalize(smart, "pnoee-30303039914")));
        assert!(!smart.valid("30303039914"));
        assert!(!smart.valid("PNOEE30303039914"));
        let [phone, code] = fields("skmobileid") else {
            panic!()
        };
        assert!(phone.valid(&normalize(phone, "+372 0000 0766")));
        assert!(!phone.valid("37200000766"));
        assert!(code.valid("60001019906") && !code.valid("6000101990"));
        assert!(fields("bankidse").is_empty());
        for f in SMART_ID.iter().chain(MOBILE_ID) {
            assert!(f.valid(f.example), "{}", f.name);
        }
    }
}
