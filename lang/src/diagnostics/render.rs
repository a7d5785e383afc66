//! The one place diagnostics become text (ariadne) or JSON.

use ariadne::{Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind};

use super::{Diagnostic, Severity};
use crate::span::SourceMap;

/// Renders diagnostics as rustc-style reports with source snippets, followed by a
/// summary line. `color` adds ANSI colours (for terminals); tests and files use `false`.
pub fn render(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    for diagnostic in diagnostics {
        render_one(sources, diagnostic, color, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(sources: &SourceMap, diagnostic: &Diagnostic, color: bool, out: &mut Vec<u8>) {
    let kind = match diagnostic.severity() {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let name_of = |file| {
        sources
            .get(file)
            .map_or_else(|| "<unknown>".to_string(), |f| f.name.clone())
    };
    let primary_name = name_of(diagnostic.primary.file);
    let position = sources.get(diagnostic.primary.file).map_or_else(
        || primary_name.clone(),
        |f| f.position(diagnostic.primary.span.start),
    );
    let mut report = Report::build(
        kind,
        (primary_name.clone(), diagnostic.primary.span.range()),
    )
    .with_config(
        Config::default()
            .with_color(color)
            .with_index_type(IndexType::Byte),
    )
    .with_code(diagnostic.code.as_str())
    .with_message(format!("{position}: {}", diagnostic.message));
    let primary_color = match diagnostic.severity() {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
    };
    // Labels of one file in source order: ariadne starts a new snippet whenever a label
    // lies above the previous one, which would split one file's snippet in two.
    let mut labels: Vec<(&super::Label, bool)> = std::iter::once((&diagnostic.primary, true))
        .chain(diagnostic.secondary.iter().map(|label| (label, false)))
        .collect();
    let file_rank = |file| {
        std::iter::once(diagnostic.primary.file)
            .chain(diagnostic.secondary.iter().map(|l| l.file))
            .position(|f| f == file)
            .unwrap_or(usize::MAX)
    };
    labels.sort_by_key(|(label, _)| (file_rank(label.file), label.span.start, label.span.end));
    for (label, is_primary) in labels {
        let mut ariadne_label = AriadneLabel::new((name_of(label.file), label.span.range()));
        if let Some(message) = &label.message {
            ariadne_label = ariadne_label.with_message(message);
        }
        if color {
            ariadne_label = ariadne_label.with_color(if is_primary {
                primary_color
            } else {
                Color::Blue
            });
        }
        report = report.with_label(ariadne_label);
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    for note in &diagnostic.notes {
        report = report.with_note(note);
    }
    let cache = ariadne::sources(
        sources
            .files()
            .map(|(_, file)| (file.name.clone(), file.text.clone())),
    );
    // Writing into a Vec cannot fail; a failure would only lose this one report.
    let _ = report.finish().write(cache, &mut *out);
}

/// The diagnostics as a JSON array for tools (`assent check --format json`).
///
/// Each element: `{"code", "severity", "message", "file", "line", "column", "start",
/// "end", "label", "help", "notes", "related": [{"file", "line", "column", "message"}]}`.
pub fn to_json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let location = |label: &super::Label| {
        let file = sources.get(label.file);
        let (line, column) = file.map_or((0, 0), |f| f.line_col(label.span.start));
        (
            file.map_or_else(String::new, |f| f.name.clone()),
            line,
            column,
        )
    };
    let items = diagnostics
        .iter()
        .map(|diagnostic| {
            let (file, line, column) = location(&diagnostic.primary);
            let related: Vec<_> = diagnostic
                .secondary
                .iter()
                .map(|label| {
                    let (file, line, column) = location(label);
                    serde_json::json!({
                        "file": file, "line": line, "column": column,
                        "message": label.message,
                    })
                })
                .collect();
            serde_json::json!({
                "code": diagnostic.code.as_str(),
                "severity": match diagnostic.severity() {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                "message": diagnostic.message,
                "file": file,
                "line": line,
                "column": column,
                "start": diagnostic.primary.span.start,
                "end": diagnostic.primary.span.end,
                "label": diagnostic.primary.message,
                "help": diagnostic.help,
                "notes": diagnostic.notes,
                "related": related,
            })
        })
        .collect();
    serde_json::Value::Array(items)
}
