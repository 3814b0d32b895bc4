// The encoder below is derived from Project Nayuki's QR Code generator library
// (the `qrcodegen` crate 1.8), whose notice follows:
//
// QR Code generator library (Rust)
//
// Copyright (c) Project Nayuki. (MIT License)
// https://www.nayuki.io/page/qr-code-generator-library
//
// Permission is hereby granted, free of charge, to any person obtaining a copy of
// this software and associated documentation files (the "Software"), to deal in
// the Software without restriction, including without limitation the rights to
// use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
// the Software, and to permit persons to whom the Software is furnished to do so,
// subject to the following conditions:
// - The above copyright notice and this permission notice shall be included in
//   all copies or substantial portions of the Software.
// - The Software is provided "as is", without warranty of any kind, express or
//   implied, including but not limited to the warranties of merchantability,
//   fitness for a particular purpose and noninfringement. In no event shall the
//   authors or copyright holders be liable for any claim, damages or other
//   liability, whether in an action of contract, tort or otherwise, arising from,
//   out of or in connection with the Software or the use or other dealings in the
//   Software.

//! The QR module grid, quiet zone included.
//!
//! A byte-mode QR encoder (ISO/IEC 18004), after Project Nayuki's `qrcodegen`
//! (MIT): the same version and error-correction choice (the smallest version at
//! level M, raised to Q or H when that costs no size, level L for long text),
//! the same Reed–Solomon codes, placement and mask penalty rules, so it draws
//! the same code as `qrcodegen` for any text `qrcodegen` puts in byte mode:
//! any text but all digits or all of `0-9A-Z $%*+-./:` (those are byte mode
//! here, where `qrcodegen` picks a denser mode: still a valid code of the same
//! text, only larger). It is written for speed:
//! the eight masks are scored on bit rows and bit columns (runs found with
//! `trailing_zeros`, 2×2 blocks with word operations), which is where an
//! encoder spends its time. Painting is the shell's job (`web::canvas`): this
//! module knows no pixels.

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

// Error-correction codewords per block and blocks, by level (L, M, Q, H) and version 1–40.
const ECC_PER_BLOCK: [[u8; 40]; 4] = [
    [
        7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30,
        30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28,
        28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ],
    [
        13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30,
        30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
    [
        17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30,
        30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ],
];
const BLOCKS: [[u8; 40]; 4] = [
    [
        1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13,
        14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
    ],
    [
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23,
        25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ],
    [
        1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29,
        34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
    ],
    [
        1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35,
        37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
    ],
];
const L: usize = 0;
const M: usize = 1;
const H: usize = 3;
/// The two format bits of each level (L, M, Q, H).
const LEVEL_BITS: [u32; 4] = [1, 0, 3, 2];

/// Modules that carry data and error correction in a code of version `ver`.
fn raw_modules(ver: usize) -> usize {
    let mut n = (16 * ver + 128) * ver + 64;
    if ver >= 2 {
        let align = ver / 7 + 2;
        n -= (25 * align - 10) * align - 55;
        if ver >= 7 {
            n -= 36;
        }
    }
    n
}

/// `table`'s entry for `level` and version `ver` (0 outside 1–40).
fn lookup(table: &[[u8; 40]; 4], level: usize, ver: usize) -> usize {
    table
        .get(level)
        .and_then(|t| t.get(ver.wrapping_sub(1)))
        .map_or(0, |&v| usize::from(v))
}

fn data_codewords(ver: usize, level: usize) -> usize {
    (raw_modules(ver) / 8)
        .saturating_sub(lookup(&ECC_PER_BLOCK, level, ver) * lookup(&BLOCKS, level, ver))
}

/// One row (or column) of modules as bits, module `i` at bit `i % 64` of word
/// `i / 64`; 192 bits hold the largest code (177).
type Line = [u64; 3];

fn set(line: &mut Line, i: usize) {
    if let Some(word) = line.get_mut(i >> 6) {
        *word |= 1 << (i & 63);
    }
}

impl QrMatrix {
    /// Encodes `text` at error-correction level M or higher (raised when that
    /// costs no extra size), falling back to level L for long input.
    pub fn encode(text: &str) -> Result<QrMatrix, DataTooLong> {
        let data = text.as_bytes();
        let too_long = DataTooLong { len: data.len() };
        // The smallest version that holds the text at M, else at L.
        let (ver, bits, mut level) = [M, L]
            .into_iter()
            .find_map(|level| {
                (1..=40).find_map(|ver| {
                    let count_bits = if ver < 10 { 8 } else { 16 };
                    let bits = 4 + count_bits + 8 * data.len();
                    (data.len() >> count_bits == 0 && bits <= data_codewords(ver, level) * 8)
                        .then_some((ver, bits, level))
                })
            })
            .ok_or(too_long)?;
        for higher in M..=H {
            if bits <= data_codewords(ver, higher) * 8 {
                level = higher;
            }
        }
        let n = 4 * ver + 17;
        let mut grid = Grid::new(ver, n);
        grid.place(&codewords(data, ver, level));

        // Score the eight masks on bit lines; keep the lowest penalty (the first on ties).
        let lines = grid.lines();
        let mut rows = vec![[0; 3]; n];
        let mut cols = vec![[0; 3]; n];
        let mut best = (i32::MAX, 0);
        for mask in 0..8 {
            masked(&lines, n, mask, level, &mut rows, &mut cols);
            let penalty = penalty(&rows, &cols, n);
            if penalty < best.0 {
                best = (penalty, mask);
            }
        }
        masked(&lines, n, best.1, level, &mut rows, &mut cols);

        let size = n + 2 * QUIET_ZONE;
        let mut modules = vec![false; size * size];
        for (line, row) in rows
            .iter()
            .zip(modules.chunks_exact_mut(size).skip(QUIET_ZONE))
        {
            for (x, dark) in row.iter_mut().skip(QUIET_ZONE).take(n).enumerate() {
                *dark = line.get(x >> 6).is_some_and(|w| w >> (x & 63) & 1 == 1);
            }
        }
        Ok(QrMatrix { size, modules })
    }

    /// Modules per side, quiet zone included.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Row `y` (quiet zone included): `size()` modules, dark = `true`; empty below the grid.
    pub fn row(&self, y: usize) -> &[bool] {
        self.modules
            .get(y * self.size..(y + 1) * self.size)
            .unwrap_or_default()
    }

    /// Whether the module at column `x`, row `y` is dark; light outside the grid.
    pub fn get_module(&self, x: usize, y: usize) -> bool {
        x < self.size && self.row(y).get(x).copied().unwrap_or(false)
    }
}

/// The data codewords (byte mode, terminator, padding) and each block's
/// Reed–Solomon codewords, interleaved in the order they are placed.
fn codewords(data: &[u8], ver: usize, level: usize) -> Vec<u8> {
    let capacity = data_codewords(ver, level);
    let mut out = Vec::with_capacity(raw_modules(ver) / 8);
    // Mode 0100, the count, the bytes: whole bytes after a 4-bit shift,
    // since the count is 8 or 16 bits.
    let mut acc: u32 = 0b0100;
    let len = data.len() as u32;
    let count: &[u8] = &[(len >> 8) as u8, len as u8];
    let count = count.get(usize::from(ver < 10)..).unwrap_or_default();
    for &byte in count.iter().chain(data) {
        acc = (acc << 8 | u32::from(byte)) & 0xFFF;
        out.push((acc >> 4) as u8);
    }
    // The last 4 bits and the terminator (zeros to the byte), then padding.
    if out.len() < capacity {
        out.push((acc << 4) as u8);
    }
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if out.len() >= capacity {
            break;
        }
        out.push(pad);
    }

    // GF(256) modulo x^8 + x^4 + x^3 + x^2 + 1: exp (twice over) and log tables.
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut v: u32 = 1;
    for i in 0..255u8 {
        if let Some(l) = log.get_mut(v as usize) {
            *l = i;
        }
        for at in [usize::from(i), usize::from(i) + 255] {
            if let Some(e) = exp.get_mut(at) {
                *e = v as u8;
            }
        }
        v <<= 1;
        if v & 0x100 != 0 {
            v ^= 0x11D;
        }
    }
    let exp = |i: usize| exp.get(i).copied().unwrap_or(0);
    let log = |x: u8| log.get(usize::from(x)).map_or(0, |&l| usize::from(l));
    let ecc_len = lookup(&ECC_PER_BLOCK, level, ver).clamp(1, 30);
    let blocks = lookup(&BLOCKS, level, ver).max(1);
    let raw = raw_modules(ver) / 8;
    let short_blocks = blocks - raw % blocks;
    let short_len = raw / blocks;
    // The generator polynomial, highest term first (its leading 1 implied).
    let mut divisor = [0u8; 30];
    let divisor = divisor.get_mut(..ecc_len).unwrap_or_default();
    if let Some(last) = divisor.last_mut() {
        *last = 1;
    }
    let mut root: u8 = 1;
    for _ in 0..ecc_len {
        for j in 0..ecc_len {
            let next = divisor.get(j + 1).copied().unwrap_or(0);
            if let Some(d) = divisor.get_mut(j) {
                *d = if *d == 0 { 0 } else { exp(log(*d) + log(root)) } ^ next;
            }
        }
        root = exp(log(root) + 1);
    }
    let divisor: Vec<Option<usize>> = divisor.iter().map(|&d| (d != 0).then(|| log(d))).collect();

    // Each block, its data (a short block's one byte shorter, then a gap)
    // and its ECC, at a stride of `short_len + 1`; placed column by column.
    let stride = short_len + 1;
    let mut table = vec![0u8; blocks * stride];
    let mut from = out.iter();
    for (i, block) in table.chunks_exact_mut(stride).enumerate() {
        let len = short_len - ecc_len + usize::from(i >= short_blocks);
        let Some((dat, ecc)) = block.split_at_mut_checked(stride - ecc_len) else {
            break;
        };
        for (to, &byte) in dat.iter_mut().take(len).zip(&mut from) {
            *to = byte;
            let factor = byte ^ ecc.first().copied().unwrap_or(0);
            ecc.rotate_left(1);
            if let Some(last) = ecc.last_mut() {
                *last = 0;
            }
            if factor != 0 {
                let f = log(factor);
                for (r, d) in ecc.iter_mut().zip(&divisor) {
                    if let Some(d) = d {
                        *r ^= exp(d + f);
                    }
                }
            }
        }
    }
    let gap = short_len - ecc_len;
    let mut placed = Vec::with_capacity(raw);
    for i in 0..stride {
        for (j, block) in table.chunks_exact(stride).enumerate() {
            if i != gap || j >= short_blocks {
                placed.extend(block.get(i));
            }
        }
    }
    placed
}

/// The code being built: bit 0 dark, bit 1 a function module (finder,
/// timing, alignment, format, version), row-major.
struct Grid {
    n: usize,
    cells: Vec<u8>,
}

const DARK: u8 = 1;
const FUNCTION: u8 = 2;

/// A grid as bit lines: rows, columns, and which modules of each row and
/// column carry data (the masks apply to those only).
struct Lines {
    rows: Vec<Line>,
    cols: Vec<Line>,
    data_rows: Vec<Line>,
    data_cols: Vec<Line>,
}

impl Grid {
    /// A version-`ver` grid with its function patterns (format area light).
    fn new(ver: usize, n: usize) -> Grid {
        let mut g = Grid {
            n,
            cells: vec![0; n * n],
        };
        for i in 0..n {
            g.function(6, i, i.is_multiple_of(2));
            g.function(i, 6, i.is_multiple_of(2));
        }
        for (cx, cy) in [(3, 3), (n - 4, 3), (3, n - 4)] {
            for dy in 0..9usize {
                for dx in 0..9usize {
                    let dist = dx.abs_diff(4).max(dy.abs_diff(4));
                    let (x, y) = ((cx + dx).wrapping_sub(4), (cy + dy).wrapping_sub(4));
                    g.function(x, y, dist != 2 && dist != 4);
                }
            }
        }
        if ver > 1 {
            let count = ver / 7 + 2;
            let step = if ver == 32 {
                26
            } else {
                (ver * 4 + count * 2 + 1) / (count * 2 - 2) * 2
            };
            let at = |i: usize| {
                if i == 0 {
                    6
                } else {
                    n - 7 - (count - 1 - i) * step
                }
            };
            for i in 0..count {
                for j in 0..count {
                    if (i == 0 && (j == 0 || j == count - 1)) || (j == 0 && i == count - 1) {
                        continue;
                    }
                    for dy in 0..5usize {
                        for dx in 0..5usize {
                            let dist = dx.abs_diff(2).max(dy.abs_diff(2));
                            g.function(at(i) + dx - 2, at(j) + dy - 2, dist != 1);
                        }
                    }
                }
            }
        }
        // The format area, light for now (each mask's format bits go in its
        // bit lines), and the module that is always dark.
        format_cells(n, 0, |x, y, _| g.function(x, y, false));
        g.function(8, n - 8, true);
        if ver >= 7 {
            let mut rem = ver as u32;
            for _ in 0..12 {
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
            }
            let bits = (ver as u32) << 12 | rem;
            for i in 0..18 {
                let dark = bits >> i & 1 == 1;
                let (a, b) = (n - 11 + i % 3, i / 3);
                g.function(a, b, dark);
                g.function(b, a, dark);
            }
        }
        g
    }

    /// Sets a function module; nothing outside the grid.
    fn function(&mut self, x: usize, y: usize, dark: bool) {
        if x < self.n && y < self.n {
            if let Some(cell) = self.cells.get_mut(y * self.n + x) {
                *cell = FUNCTION | u8::from(dark);
            }
        }
    }

    /// Places the codewords' bits in the zigzag order, skipping function modules.
    fn place(&mut self, codewords: &[u8]) {
        let n = self.n;
        let total = codewords.len() * 8;
        let mut i = 0;
        let mut right = n - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            let upward = (right + 1) & 2 == 0;
            for vert in 0..n {
                let y = if upward { n - 1 - vert } else { vert };
                for x in [right, right - 1] {
                    let Some(cell) = self.cells.get_mut(y * n + x) else {
                        continue;
                    };
                    if *cell & FUNCTION == 0 && i < total {
                        *cell = codewords.get(i >> 3).map_or(0, |c| c >> (7 - (i & 7)) & 1);
                        i += 1;
                    }
                }
            }
            if right < 3 {
                break;
            }
            right -= 2;
        }
    }

    /// The grid as bit lines.
    fn lines(&self) -> Lines {
        let n = self.n;
        let mut l = Lines {
            rows: vec![[0; 3]; n],
            cols: vec![[0; 3]; n],
            data_rows: vec![[0; 3]; n],
            data_cols: vec![[0; 3]; n],
        };
        let rows = l.rows.iter_mut().zip(&mut l.data_rows);
        for (y, (cells, (row, data_row))) in self.cells.chunks_exact(n).zip(rows).enumerate() {
            let cols = l.cols.iter_mut().zip(&mut l.data_cols);
            for (x, (&cell, (col, data_col))) in cells.iter().zip(cols).enumerate() {
                if cell & DARK != 0 {
                    set(row, x);
                    set(col, y);
                }
                if cell & FUNCTION == 0 {
                    set(data_row, x);
                    set(data_col, y);
                }
            }
        }
        l
    }
}

/// `lines` with `mask` applied to the data modules and its format bits
/// drawn, into `rows` and `cols`.
fn masked(lines: &Lines, n: usize, mask: u8, level: usize, rows: &mut [Line], cols: &mut [Line]) {
    // Every mask repeats every 6 columns and every 12 rows, and
    // 192 = 32 × 6 = 16 × 12: one tiled line per row phase and per column phase.
    let row_phase: [Line; 12] = core::array::from_fn(|y| tile(6, |x| inverts(mask, x, y)));
    let col_phase: [Line; 6] = core::array::from_fn(|x| tile(12, |y| inverts(mask, x, y)));
    let apply = |line: &Line, pattern: &Line, data: &Line| -> Line {
        [
            line[0] ^ (pattern[0] & data[0]),
            line[1] ^ (pattern[1] & data[1]),
            line[2] ^ (pattern[2] & data[2]),
        ]
    };
    let sources = row_phase
        .iter()
        .cycle()
        .zip(lines.rows.iter().zip(&lines.data_rows));
    for (out, (pattern, (line, data))) in rows.iter_mut().zip(sources) {
        *out = apply(line, pattern, data);
    }
    let sources = col_phase
        .iter()
        .cycle()
        .zip(lines.cols.iter().zip(&lines.data_cols));
    for (out, (pattern, (line, data))) in cols.iter_mut().zip(sources) {
        *out = apply(line, pattern, data);
    }
    let data = LEVEL_BITS.get(level).copied().unwrap_or(0) << 3 | u32::from(mask);
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    let bits = (data << 10 | rem) ^ 0x5412;
    format_cells(n, bits, |x, y, dark| {
        if let (true, Some(row), Some(col)) = (dark, rows.get_mut(y), cols.get_mut(x)) {
            set(row, x);
            set(col, y);
        }
    });
}

/// Calls `f(x, y, dark)` for the 30 format modules of the 15 format `bits`.
fn format_cells(n: usize, bits: u32, mut f: impl FnMut(usize, usize, bool)) {
    let bit = |i: usize| bits >> i & 1 == 1;
    for i in 0..6 {
        f(8, i, bit(i));
    }
    f(8, 7, bit(6));
    f(8, 8, bit(7));
    f(7, 8, bit(8));
    for i in 9..15 {
        f(14 - i, 8, bit(i));
    }
    for i in 0..8 {
        f(n - 1 - i, 8, bit(i));
    }
    for i in 8..15 {
        f(8, n - 15 + i, bit(i));
    }
}

/// Whether `mask` inverts the data module at column `x`, row `y`.
fn inverts(mask: u8, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (x / 3 + y / 2).is_multiple_of(2),
        5 => x * y % 2 + x * y % 3 == 0,
        6 => (x * y % 2 + x * y % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + x * y % 3).is_multiple_of(2),
    }
}

/// A line of 192 bits repeating `f(0..period)` (`period` ≤ 32).
fn tile(period: usize, f: impl Fn(usize) -> bool) -> Line {
    let mut unit: u64 = 0;
    for i in 0..period {
        unit |= u64::from(f(i)) << i;
    }
    // Word k starts `64 k % period` modules into the unit: rotate the unit
    // there, then double it up to 64 bits.
    core::array::from_fn(|k| {
        let s = 64 * k % period;
        let mut v = (unit >> s | unit << (period - s)) & ((1 << period) - 1);
        let mut len = period;
        while len < 64 {
            v |= v << len;
            len *= 2;
        }
        v
    })
}

/// The standard's penalty of a masked code: runs of five or more (N1),
/// finder-like patterns (N3), 2×2 blocks (N2), dark/light balance (N4).
fn penalty(rows: &[Line], cols: &[Line], n: usize) -> i32 {
    let mut p = 0;
    for line in rows.iter().chain(cols) {
        p += line_penalty(line, n);
    }
    // 2×2 blocks: bit x set where (x, y), (x+1, y), (x, y+1), (x+1, y+1) agree.
    let shr1 = |l: &Line| -> Line { [l[0] >> 1 | l[1] << 63, l[1] >> 1 | l[2] << 63, l[2] >> 1] };
    let valid: Line = core::array::from_fn(|w| {
        let bits = (n - 1).saturating_sub(w * 64).min(64);
        if bits == 64 {
            !0
        } else {
            (1u64 << bits) - 1
        }
    });
    let same = |a: u64, b: u64, a1: u64, b1: u64, valid: u64| {
        (!(a ^ b) & !(a ^ a1) & !(a ^ b1) & valid).count_ones() as i32
    };
    for (a, b) in rows.iter().zip(rows.iter().skip(1)) {
        let (a1, b1) = (shr1(a), shr1(b));
        p += 3
            * (same(a[0], b[0], a1[0], b1[0], valid[0])
                + same(a[1], b[1], a1[1], b1[1], valid[1])
                + same(a[2], b[2], a1[2], b1[2], valid[2]));
    }
    let dark: i32 = rows
        .iter()
        .map(|l| (l[0].count_ones() + l[1].count_ones() + l[2].count_ones()) as i32)
        .sum();
    let total = (n * n) as i32;
    let k = ((dark * 20 - total * 10).abs() + total - 1) / total - 1;
    p + k * 10
}

/// N1 and N3 of one row or column of `n` modules (light beyond its ends).
fn line_penalty(line: &Line, n: usize) -> i32 {
    // Bit i of `t` is set where module i differs from module i - 1 (light
    // before the first): where runs start. Runs alternate, light first (that
    // one possibly empty).
    let t = [
        line[0] ^ line[0] << 1,
        line[1] ^ (line[1] << 1 | line[0] >> 63),
        line[2] ^ (line[2] << 1 | line[1] >> 63),
    ];
    let mut runs = Runs {
        history: [0; 7],
        border: n as i32,
        penalty: 0,
    };
    let mut start = 0;
    let mut dark = false;
    for (k, mut bits) in t.into_iter().enumerate() {
        while bits != 0 {
            let at = k * 64 + bits.trailing_zeros() as usize;
            if at >= n {
                break;
            }
            bits &= bits - 1;
            runs.push((at - start) as i32, dark);
            start = at;
            dark = !dark;
        }
    }
    // The last run, then the light border after the line.
    let len = (n - start) as i32;
    runs.n1(len);
    let border = n as i32;
    if dark {
        runs.add(len);
        runs.add(border);
    } else {
        runs.add(len + border);
    }
    runs.penalty + runs.finders() * 40
}

/// The penalty of a line's runs so far and its last seven run lengths
/// (newest first; the first run counts the light border before the line).
struct Runs {
    history: [i32; 7],
    border: i32,
    penalty: i32,
}

impl Runs {
    /// A run of `len` modules that ended before another.
    #[inline(always)]
    fn push(&mut self, len: i32, dark: bool) {
        self.n1(len);
        self.add(len);
        if !dark {
            self.penalty += self.finders() * 40;
        }
    }

    #[inline(always)]
    fn n1(&mut self, len: i32) {
        if len >= 5 {
            self.penalty += len - 2;
        }
    }

    #[inline(always)]
    fn add(&mut self, len: i32) {
        let h = self.history;
        self.history = [len + self.border, h[0], h[1], h[2], h[3], h[4], h[5]];
        self.border = 0;
    }

    /// Finder-like patterns (1:1:3:1:1 with four light on one side) ending here.
    #[inline(always)]
    fn finders(&self) -> i32 {
        let h = &self.history;
        let m = h[1];
        let core = m > 0 && h[2] == m && h[3] == m * 3 && h[4] == m && h[5] == m;
        i32::from(core && h[0] >= m * 4 && h[6] >= m)
            + i32::from(core && h[6] >= m * 4 && h[0] >= m)
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
            QrMatrix::encode(&"x".repeat(2954)),
            Err(DataTooLong { len: 2954 })
        );
        assert_eq!(
            QrMatrix::encode(&"x".repeat(3000)),
            Err(DataTooLong { len: 3000 })
        );
        let too_long_binary = "é".repeat(1500);
        assert!(QrMatrix::encode(&too_long_binary).is_err());
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod reference {
    use super::*;
    use qrcodegen::{QrCode, QrCodeEcc};

    /// What `qrcodegen` draws for `text` (level M, else L), quiet zone added.
    fn qrcodegen(text: &str) -> Option<(usize, Vec<bool>)> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium)
            .or_else(|_| QrCode::encode_text(text, QrCodeEcc::Low))
            .ok()?;
        let size = code.size() as usize + 2 * QUIET_ZONE;
        let q = QUIET_ZONE as i32;
        let modules = (0..size * size)
            .map(|i| code.get_module((i % size) as i32 - q, (i / size) as i32 - q))
            .collect();
        Some((size, modules))
    }

    fn same_as_qrcodegen(text: &str) {
        let ours = QrMatrix::encode(text).ok().map(|m| (m.size, m.modules));
        assert!(
            ours == qrcodegen(text),
            "differs from qrcodegen for {} bytes",
            text.len()
        );
    }

    #[test]
    fn draws_what_qrcodegen_draws_at_every_version_and_level() {
        // Lengths across all 40 versions at M and at L (byte mode needs a
        // lowercase letter for qrcodegen to choose it too).
        let mut seed: u32 = 1;
        let mut text = String::new();
        for len in (1..400)
            .step_by(2)
            .chain((400..=2953).step_by(23))
            .chain([2953])
        {
            text.clear();
            text.push('x');
            while text.len() < len {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                text.push(char::from(b' ' + (seed % 95) as u8));
            }
            same_as_qrcodegen(&text);
        }
        same_as_qrcodegen("bankid.6b8a8c2e-1b4f-4f8e-9a3c-1f2e3d4c5b6a.0.9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c");
        same_as_qrcodegen("https://example.com/__sim/phone/0c3e1d2f-4a5b-6c7d-8e9f-a0b1c2d3e4f5");
        same_as_qrcodegen("smörgåsbord ✓ 日本語");
        same_as_qrcodegen(&"é".repeat(1476));
    }
}
