//! The QR module grid, quiet zone included.
//!
//! Encoding is qrcodegen's; this module only adds the 4-module quiet zone the
//! standard requires and turns "too long" into an error the session can report.
//! Painting is the shell's job (`web::canvas`): this module knows no pixels.

use qrcodegen::{QrCode, QrCodeEcc};

/// Light modules the standard requires around the code, on every side.
pub const QUIET_ZONE: usize = 4;

/// A square grid of dark (`true`) and light modules, quiet zone included.
#[derive(Clone, PartialEq, Eq)]
pub struct QrMatrix {
    size: usize,
    modules: Vec<bool>,
}

impl core::fmt::Debug for QrMatrix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "QrMatrix({}x{})", self.size, self.size)
    }
}

/// The payload does not fit in a version-40 QR code even at the lowest error
/// correction. Nothing the widget can do fixes that: report it (the session
/// fails with `qr_data_too_long`) so the backend can be fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataTooLong {
    /// The payload's length in bytes.
    pub len: usize,
}

impl QrMatrix {
    /// Encodes `text` at error-correction level M or higher (qrcodegen raises it
    /// when that costs no extra size), falling back to level L for long input.
    pub fn encode(text: &str) -> Result<QrMatrix, DataTooLong> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium)
            .or_else(|_| QrCode::encode_text(text, QrCodeEcc::Low))
            .map_err(|_| DataTooLong { len: text.len() })?;
        let inner = usize::try_from(code.size()).unwrap_or(0);
        let size = inner + 2 * QUIET_ZONE;
        let mut modules = vec![false; size * size];
        for (i, dark) in modules.iter_mut().enumerate() {
            let (x, y) = ((i % size) as i32, (i / size) as i32);
            let q = QUIET_ZONE as i32;
            // qrcodegen answers "light" outside its grid, so the quiet zone is free.
            *dark = code.get_module(x - q, y - q);
        }
        Ok(QrMatrix { size, modules })
    }

    /// Modules per side, quiet zone included.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the module at column `x`, row `y` is dark; light outside the grid.
    pub fn get_module(&self, x: usize, y: usize) -> bool {
        if x >= self.size || y >= self.size {
            return false;
        }
        self.modules
            .get(y * self.size + x)
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_a_quiet_zone_of_four_light_modules() {
        let m =
            QrMatrix::encode("bankid.6b8a8c2e-1b4f-4f8e-9a3c-1f2e3d4c5b6a.0.abc").expect("fits");
        let n = m.size();
        for i in 0..n {
            for d in 0..QUIET_ZONE {
                assert!(!m.get_module(i, d) && !m.get_module(d, i));
                assert!(!m.get_module(i, n - 1 - d) && !m.get_module(n - 1 - d, i));
            }
        }
        // The top-left finder pattern starts right inside the quiet zone.
        assert!(m.get_module(QUIET_ZONE, QUIET_ZONE));
        assert!(!m.get_module(n, 0) && !m.get_module(0, n));
    }

    #[test]
    fn a_bankid_payload_is_a_small_code() {
        let payload = format!(
            "bankid.{}.12.{}",
            "6b8a8c2e-1b4f-4f8e-9a3c-1f2e3d4c5b6a",
            "ab".repeat(32)
        );
        let m = QrMatrix::encode(&payload).expect("fits");
        assert!(m.size() - 2 * QUIET_ZONE <= 57, "version <= 10");
    }

    #[test]
    fn too_long_is_an_error_not_a_panic() {
        // 2,953 bytes is the most a version-40 code holds in byte mode.
        assert!(QrMatrix::encode(&"x".repeat(2953)).is_ok());
        assert_eq!(
            QrMatrix::encode(&"x".repeat(3000)),
            Err(DataTooLong { len: 3000 })
        );
        let too_long_binary = "é".repeat(1500);
        assert!(QrMatrix::encode(&too_long_binary).is_err());
    }
}
