//! Diagnostics: errors and warnings as data, rendered by one function.
//!
//! A [`Diagnostic`] holds a [`Code`], a message, a primary location and optional
//! secondary labels, help and notes. It holds no source text: [`render`] attaches the
//! text from a [`SourceMap`] when printing, and [`to_json`] gives the same for tools.
//!
//! Message style (cedar's): lowercase, no final period, user input in backticks,
//! advice in `help`, never a Rust type name.
//!
//! Each message is worded in one place: a constructor per error in [`syntax_errors`] (E00xx),
//! [`name_errors`] (E01xx), [`type_errors`] (E02xx), [`effect_errors`] (E03xx) and
//! [`policy_errors`] (E04xx, W0001) takes the facts and builds the diagnostic with
//! its code, message, labels and help; the checker decides only which error it found.

mod codes;
mod render;

pub mod effect_errors;
pub mod name_errors;
pub mod policy_errors;
pub mod syntax_errors;
pub mod type_errors;

pub use codes::Code;
pub use render::{render, to_json};

use crate::span::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file, with an optional message shown under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// Where the problem is; its message (if any) is printed under the snippet.
    pub primary: Label,
    /// Related places ("first defined here").
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`; the severity follows from the code.
    pub fn new(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label {
                file,
                span,
                message: None,
            },
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the message printed under the primary snippet.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = Some(message.into());
        self
    }

    /// Adds a related place.
    pub fn with_secondary(
        mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.secondary.push(Label {
            file,
            span,
            message: Some(message.into()),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn severity(&self) -> Severity {
        if self.code.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// `a`, `a and b`, `a, b and c`: a list in a message.
pub fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// True when any diagnostic is an error (warnings leave the exit status 0).
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Orders diagnostics by file, then position, then code, so output is stable whatever
/// order the passes found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (
            a.primary.file,
            a.primary.span.start,
            a.primary.span.end,
            a.code,
        )
            .cmp(&(
                b.primary.file,
                b.primary.span.start,
                b.primary.span.end,
                b.code,
            ))
    });
}
