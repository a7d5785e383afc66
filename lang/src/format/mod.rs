//! The canonical layout of Assent source (`assent fmt`).
//!
//! Parse, then print the tree back: [`layout`] turns it into a [`doc::Doc`] (putting back
//! the comments that [`comments`] found in the text), and [`printer`] lays that out in
//! lines of at most [`MAX_WIDTH`] characters. The result parses to the same tree, and
//! formatting it again changes nothing.
//!
//! The layout: 4-space indentation; one statement, item, field or arm per line; a list
//! (arguments, parameters, literals, record fields) on one line when it fits, else one
//! element per line with a trailing comma; a long operator chain broken before each
//! operator; at most one blank line kept where the author left any; every comment kept
//! where it was. Declarations (`record`, `event`, `enum`) whose braces the author broke
//! stay broken.

mod comments;
mod doc;
mod expressions;
mod items;
mod layout;
mod literals;
mod printer;
mod statements;

use crate::diagnostics::Diagnostic;
use crate::span::FileId;
use crate::syntax::{self, ast::SourceUnit};

/// The widest line the layout aims for (a longer name or string still overflows).
pub const MAX_WIDTH: usize = 100;

/// Formats `text` in canonical layout, keeping every comment. Contract files and
/// standard-library modules (which have no `contract Name;`) alike.
///
/// # Errors
///
/// The syntax errors when the text does not parse (a file that does not parse is never
/// rewritten).
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (unit, diagnostics) = syntax::parse_library(file, text);
    if diagnostics.iter().any(|d| !d.code.is_warning()) {
        return Err(diagnostics);
    }
    Ok(format_unit(&unit, text))
}

/// Prints a parsed `unit` in canonical layout; `text` is its source, where the comments
/// and the spelling of some literals come from.
pub fn format_unit(unit: &SourceUnit, text: &str) -> String {
    let mut layout = layout::Layout::new(text, comments::scan(text));
    let doc = layout.source_unit(unit);
    let mut formatted = printer::render(&doc, MAX_WIDTH);
    if !formatted.is_empty() {
        formatted.push('\n');
    }
    formatted
}

#[cfg(test)]
mod tests;
