//! The widget's options: what a page passes to `mount`, checked once, with
//! errors that say what to fix.
//!
//! The shell decodes the JavaScript options object into [`Options`] (every
//! field optional and loosely typed, since HTML attributes are strings) and
//! [`Options::validate`] turns it into a [`Config`] or a [`ConfigError`]. Options
//! that only the browser can use (headers, credentials, an extra request body)
//! are the shell's and are not here.

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// Default milliseconds between status requests (the guide's 3 s).
pub const DEFAULT_POLL_INTERVAL: u64 = 3_000;
/// Default milliseconds before the widget gives up (the guide's 5 min).
pub const DEFAULT_TIMEOUT: u64 = 300_000;
/// Default edge of the QR code in CSS pixels.
pub const DEFAULT_SIZE: u32 = 200;

const POLL_INTERVAL_RANGE: (u64, u64) = (250, 60_000);
const TIMEOUT_RANGE: (u64, u64) = (1_000, 3_600_000);
const SIZE_RANGE: (u32, u32) = (96, 1_024);

/// The options as the page wrote them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    /// The backend route that creates verifications (`/api/verifications`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The eID provider to start (`bankidse`); `provider` as an attribute.
    #[serde(default, alias = "provider")]
    pub provider_id: Option<String>,
    /// Milliseconds between status requests.
    #[serde(default)]
    pub poll_interval: Option<Number>,
    /// Milliseconds before the widget gives up.
    #[serde(default)]
    pub timeout: Option<Number>,
    /// Edge of the QR code in CSS pixels.
    #[serde(default)]
    pub size: Option<Number>,
}

/// A number that may arrive as a JS number or as an attribute string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of milliseconds or pixels")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                Ok(Number(v.trim().parse().unwrap_or(f64::NAN)))
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// Validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The backend route; status and cancel are `{endpoint}/{id}`.
    pub endpoint: String,
    /// The eID provider to start.
    pub provider_id: String,
    /// Set by the page; otherwise the server's recommendation or the default.
    pub poll_interval: Option<u64>,
    /// Milliseconds from mount after which the widget gives up.
    pub timeout: u64,
    /// Edge of the QR code in CSS pixels.
    pub size: u32,
}

/// An option the page got wrong. Its `Display` says which and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// A required option is absent or empty.
    Missing(&'static str, &'static str),
    /// An option has a value outside what the widget accepts.
    Invalid(&'static str, String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing(name, hint) => {
                write!(
                    f,
                    "hopae-connect-widget: the `{name}` option is required ({hint})"
                )
            }
            ConfigError::Invalid(name, why) => {
                write!(f, "hopae-connect-widget: the `{name}` option {why}")
            }
        }
    }
}

impl Options {
    /// Checks every option and fills in defaults.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let endpoint = self
            .endpoint
            .map(|e| e.trim().trim_end_matches('/').to_owned())
            .filter(|e| !e.is_empty())
            .ok_or(ConfigError::Missing(
                "endpoint",
                "the URL of your backend's verification route, e.g. \"/api/verifications\"",
            ))?;
        let provider_id = self
            .provider_id
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .ok_or(ConfigError::Missing(
                "providerId",
                "the eID provider to start, e.g. \"bankidse\"",
            ))?;
        let valid_id = provider_id.len() <= 64
            && provider_id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
        if !valid_id {
            return Err(ConfigError::Invalid(
                "providerId",
                format!("must be a provider id such as \"bankidse\" (letters, digits, '-', '_', '.'), not {provider_id:?}"),
            ));
        }
        Ok(Config {
            endpoint,
            provider_id,
            poll_interval: millis("pollInterval", self.poll_interval, POLL_INTERVAL_RANGE)?,
            timeout: millis("timeout", self.timeout, TIMEOUT_RANGE)?.unwrap_or(DEFAULT_TIMEOUT),
            size: match millis(
                "size",
                self.size,
                (SIZE_RANGE.0.into(), SIZE_RANGE.1.into()),
            )? {
                Some(px) => u32::try_from(px).unwrap_or(DEFAULT_SIZE),
                None => DEFAULT_SIZE,
            },
        })
    }
}

fn millis(
    name: &'static str,
    value: Option<Number>,
    (lo, hi): (u64, u64),
) -> Result<Option<u64>, ConfigError> {
    let Some(Number(v)) = value else {
        return Ok(None);
    };
    if v.is_finite() && v >= lo as f64 && v <= hi as f64 {
        Ok(Some(v.round() as u64))
    } else {
        Err(ConfigError::Invalid(
            name,
            format!("must be a number from {lo} to {hi}, not {v}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> Result<Config, ConfigError> {
        serde_json::from_str::<Options>(json)
            .expect("valid test JSON")
            .validate()
    }

    #[test]
    fn fills_in_defaults() {
        let c = options(r#"{"endpoint":"/api/verifications/","providerId":"bankidse"}"#)
            .expect("valid");
        assert_eq!(c.endpoint, "/api/verifications");
        assert_eq!(c.poll_interval, None);
        assert_eq!(c.timeout, DEFAULT_TIMEOUT);
        assert_eq!(c.size, DEFAULT_SIZE);
    }

    #[test]
    fn accepts_numbers_written_as_attribute_strings() {
        let c = options(r#"{"endpoint":"/v","providerId":"mitid","pollInterval":"1500","timeout":60000,"size":"256"}"#)
            .expect("valid");
        assert_eq!(
            (c.poll_interval, c.timeout, c.size),
            (Some(1500), 60_000, 256)
        );
    }

    #[test]
    fn says_what_to_fix() {
        let e = options(r#"{"providerId":"bankidse"}"#).expect_err("no endpoint");
        assert!(
            e.to_string().contains("`endpoint` option is required"),
            "{e}"
        );
        let e = options(r#"{"endpoint":"/v"}"#).expect_err("no provider");
        assert!(e.to_string().contains("providerId"), "{e}");
        let e =
            options(r#"{"endpoint":"/v","providerId":"<img src=x>"}"#).expect_err("bad provider");
        assert!(e.to_string().contains("bankidse"), "{e}");
        let e = options(r#"{"endpoint":"/v","providerId":"x","pollInterval":"soon"}"#)
            .expect_err("NaN");
        assert!(
            e.to_string().contains("pollInterval") && e.to_string().contains("250"),
            "{e}"
        );
        let e =
            options(r#"{"endpoint":"/v","providerId":"x","timeout":-1}"#).expect_err("negative");
        assert!(e.to_string().contains("timeout"), "{e}");
    }
}
