//! Minifies the widget's stylesheet at build time: src/web/dom.rs embeds
//! OUT_DIR/style.min.css. The source keeps its comments and layout; the wasm
//! carries only what the browser needs. Comments go, whitespace collapses and
//! disappears around `{ } ; , >` and after `:`, and the last `;` of a block
//! goes. Quoted strings are copied as they are.
use std::{env, fs, path::Path};

fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
                space = true;
            }
            '"' | '\'' => {
                push_space(&mut out, &mut space, c);
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => space = true,
            '}' => {
                if out.ends_with(';') {
                    out.pop();
                }
                space = false;
                out.push(c);
            }
            '{' | ';' | ',' | '>' => {
                space = false;
                out.push(c);
            }
            _ => {
                push_space(&mut out, &mut space, c);
                out.push(c);
            }
        }
    }
    out
}

/// Writes a pending space unless the previous character makes it useless.
fn push_space(out: &mut String, space: &mut bool, _next: char) {
    if *space && !out.is_empty() && !out.ends_with(['{', '}', ';', ',', '>', ':']) {
        out.push(' ');
    }
    *space = false;
}

fn main() {
    let source = "src/web/style.css";
    println!("cargo:rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("src/web/style.css is readable");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("style.min.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}
