//! The wording of name errors (E01xx): definitions given twice.

use super::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// E0102: a declaration `name` of the module defined again; `first` is the first
/// definition, when it is known.
pub fn defined_twice(
    file: FileId,
    span: Span,
    name: &str,
    first: Option<(FileId, Span)>,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DuplicateDefinition,
        file,
        span,
        format!("`{name}` is defined twice"),
    )
    .with_label(format!("`{name}` redefined here"));
    if let Some((first_file, first_span)) = first {
        diagnostic = diagnostic.with_secondary(
            first_file,
            first_span,
            format!("first definition of `{name}`"),
        );
    }
    diagnostic.with_note(
        "enums, records, events, constants, state, actions, views, policies and functions \
         share one namespace",
    )
}

/// E0102: a declaration named like a built-in type.
pub fn builtin_type_name(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        file,
        span,
        format!("`{name}` is a built-in type"),
    )
    .with_label("this name is taken by a built-in type")
    .with_help("choose another name")
}

/// E0102: variant `variant` of enum `enum_name` defined again (`first`: the first).
pub fn variant_defined_twice(
    file: FileId,
    span: Span,
    variant: &str,
    enum_name: &str,
    first: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        file,
        span,
        format!("variant `{variant}` is defined twice in `{enum_name}`"),
    )
    .with_label("redefined here")
    .with_secondary(file, first, "first definition")
    .with_note("variant names are unique within an enum, nested variants included")
}

/// E0102: two parameters named `name` (`first`: the first).
pub fn parameter_defined_twice(file: FileId, span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        file,
        span,
        format!("parameter `{name}` is defined twice"),
    )
    .with_label("used again here")
    .with_secondary(file, first, "first parameter with this name")
    .with_help("give each parameter its own name")
}

/// E0102: two fields named `name` in one declaration (`first`: the first).
pub fn field_declared_twice(file: FileId, span: Span, name: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        file,
        span,
        format!("field `{name}` is declared twice"),
    )
    .with_label("declared again here")
    .with_secondary(file, first, "first declaration")
}

/// E0102: `name` bound twice in one `place` ("pattern", …) (`first`: the first).
pub fn bound_twice(file: FileId, span: Span, name: &str, place: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        file,
        span,
        format!("`{name}` is bound twice in this {place}"),
    )
    .with_label("bound again here")
    .with_secondary(file, first, "first bound here")
}

/// E0104: the root contract file `path` cannot be read, and `why`.
pub fn unreadable_file(file: FileId, path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ImportNotFound,
        file,
        Span::default(),
        format!("cannot read `{path}`: {why}"),
    )
}

/// E0104: the file `target`, imported at `span`, cannot be read, and `why`.
pub fn unreadable_import(file: FileId, span: Span, target: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ImportNotFound,
        file,
        span,
        format!("cannot read `{target}`: {why}"),
    )
    .with_label("imported here")
    .with_note("an import's path is relative to the importing file")
}

/// E0113: the file `target`, imported at `span`, has no `contract Name;`.
pub fn import_not_contract(file: FileId, span: Span, target: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ImportNotContract,
        file,
        span,
        format!("`{target}` is not a contract"),
    )
    .with_label("imported here")
    .with_help("a file imported with `import \"…\";` must start with `contract Name;`")
}

/// Quoted names joined as prose: "`a`, `b` and `c`".
fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = names.into_iter().map(|name| format!("`{name}`")).collect();
    super::join_words(&quoted)
}

/// E0101: `name` not in scope; `close` is a near spelling, `variant_of` an enum in
/// scope with a variant `name`.
pub fn unknown_name(
    file: FileId,
    span: Span,
    name: &str,
    close: Option<&str>,
    variant_of: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownName,
        file,
        span,
        format!("unknown name `{name}`"),
    )
    .with_label("not found in this scope");
    match (close, variant_of) {
        (Some(close), _) => diagnostic.with_help(format!("did you mean `{close}`?")),
        (None, Some(enum_name)) => diagnostic.with_help(format!(
            "`{name}` is a variant of `{enum_name}`: write `{enum_name}.{name}`"
        )),
        (None, None) => diagnostic,
    }
}

/// E0108: `Enum.Parent.variant` where `variant` is not nested under `parent`.
pub fn variant_not_nested(
    file: FileId,
    span: Span,
    variant: &str,
    enum_name: &str,
    parent: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownVariant,
        file,
        span,
        format!("`{variant}` is not a variant under `{enum_name}.{parent}`"),
    )
    .with_label("not nested here")
    .with_help(format!("write `{enum_name}.{variant}`"))
}

/// E0108: no variant `variant` in `place` (`Enum` or `Enum.Parent`), declared at
/// `declared`; `close` is a near spelling.
pub fn unknown_variant(
    file: FileId,
    span: Span,
    variant: &str,
    enum_name: &str,
    place: &str,
    declared: (FileId, Span),
    close: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownVariant,
        file,
        span,
        format!("no variant `{variant}` in enum `{place}`"),
    )
    .with_label(format!("`{enum_name}` has no such variant"))
    .with_secondary(
        declared.0,
        declared.1,
        format!("`{enum_name}` is declared here"),
    );
    match close {
        Some(close) => diagnostic.with_help(format!("did you mean `{enum_name}.{close}`?")),
        None => diagnostic,
    }
}

/// E0107: `written.field` where `written` is an option (`option`); `as_option` is the
/// type `written?.field` would have.
pub fn field_of_option(
    file: FileId,
    span: Span,
    written: &str,
    option: &str,
    field: &str,
    as_option: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownField,
        file,
        span,
        format!("`{written}` is an option (`{option}`), so it has no field `{field}`"),
    )
    .with_label("it may be `none`")
    .with_help(format!(
        "write `{written}?.{field}` for the field as an option (`{as_option}`), \
         `{written}?.{field} ?? default` for a value, or \
         `match {written} {{ some(x) => … x.{field} …, none => … }}`"
    ))
}

/// E0107: `t.position` past the end of a tuple `tuple` of `len` elements.
pub fn tuple_position(
    file: FileId,
    span: Span,
    tuple: &str,
    position: &str,
    len: usize,
) -> Diagnostic {
    let last = len.saturating_sub(1);
    Diagnostic::new(
        Code::UnknownField,
        file,
        span,
        format!("`{tuple}` has no element `{position}`"),
    )
    .with_label(format!("a tuple of {len} elements"))
    .with_note(format!("its elements are `.0` to `.{last}`"))
}

/// E0107: `value.field` where the type `ty` (with `fields`) has no such field;
/// `close` is a near spelling, `is_enum` when `ty` is an enum.
pub fn unknown_field(
    file: FileId,
    span: Span,
    ty: &str,
    field: &str,
    fields: &[String],
    close: Option<&str>,
    is_enum: bool,
) -> Diagnostic {
    let message = if fields.is_empty() {
        format!("`{ty}` has no fields")
    } else {
        format!("no field `{field}` on type `{ty}`")
    };
    let diagnostic =
        Diagnostic::new(Code::UnknownField, file, span, message).with_label("unknown field");
    if let Some(close) = close {
        diagnostic.with_help(format!("did you mean `{close}`?"))
    } else if !fields.is_empty() {
        diagnostic.with_note(format!(
            "`{ty}` has the fields {}",
            quoted_list(fields.iter().map(String::as_str))
        ))
    } else if field.starts_with(|c: char| c.is_ascii_digit()) {
        diagnostic.with_note(format!(
            "`.{field}` reads an element of a tuple, and `{ty}` is not one"
        ))
    } else if matches!(
        field,
        "len" | "bytes" | "get" | "contains" | "seconds" | "day"
    ) {
        diagnostic.with_help(format!("`{field}` is a method: call it with `()`"))
    } else if is_enum {
        diagnostic.with_help(format!(
            "to test a variant, compare it (`x == {ty}.V`) or use `in`"
        ))
    } else {
        diagnostic
    }
}

/// E0107: a field `field` given to `what` (`record`, `event`) `owner`, which has
/// `fields`; `close` is a near spelling.
pub fn unknown_field_given(
    file: FileId,
    span: Span,
    what: &str,
    owner: &str,
    field: &str,
    fields: &[&str],
    close: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownField,
        file,
        span,
        format!("{what} `{owner}` has no field `{field}`"),
    )
    .with_label("unknown field");
    if let Some(close) = close {
        diagnostic.with_help(format!("did you mean `{close}`?"))
    } else if !fields.is_empty() {
        diagnostic.with_note(format!(
            "`{owner}` has the fields {}",
            quoted_list(fields.iter().copied())
        ))
    } else {
        diagnostic
    }
}

/// E0106: `Name { … }` where `Name` is an event.
pub fn event_constructed(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownType,
        file,
        span,
        format!("`{name}` is an event, not a record"),
    )
    .with_label("events are emitted, not constructed")
    .with_help(format!("emit it: `emit {name} {{ … }};`"))
}

/// E0106: `Name { … }` where `Name` is no record: a declaration of `kind`, or unknown.
pub fn not_a_record(
    file: FileId,
    span: Span,
    name: &str,
    kind: Option<&str>,
    close: Option<&str>,
) -> Diagnostic {
    let message = match kind {
        Some(kind) => format!("`{name}` is a {kind}, not a record"),
        None => format!("unknown record `{name}`"),
    };
    let diagnostic =
        Diagnostic::new(Code::UnknownType, file, span, message).with_label("not a record type");
    match close {
        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic,
    }
}

/// E0106: `name`, a declaration of `kind` (declared at `declared`, when known), used as
/// a type.
pub fn declaration_not_type(
    file: FileId,
    span: Span,
    kind: &str,
    name: &str,
    declared: Option<(FileId, Span)>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownType,
        file,
        span,
        format!("`{name}` is a {kind}, not a type"),
    )
    .with_label("expected a type");
    match declared {
        Some((decl_file, decl_span)) => diagnostic.with_secondary(
            decl_file,
            decl_span,
            format!("the {kind} `{name}` is declared here"),
        ),
        None => diagnostic,
    }
}

/// E0106: `name` is no type in scope; `close` is a near spelling.
pub fn unknown_type(file: FileId, span: Span, name: &str, close: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownType,
        file,
        span,
        format!("unknown type `{name}`"),
    )
    .with_label("not a type in scope");
    if let Some(close) = close {
        diagnostic.with_help(format!("did you mean `{close}`?"))
    } else if matches!(name, "Integer" | "int" | "i64" | "Number") {
        diagnostic.with_help("the integer type is `Int`")
    } else {
        diagnostic.with_note(
            "types are `Bool`, `Int`, `Money`, `Percent`, `Time`, `Duration`, `Address`, `Hash`, \
             `Bytes`, `String`, `List<T>`, `Set<T>`, `Map<K, V>`, `T?`, tuples, and declared \
             enums and records",
        )
    }
}

/// E0112: the built-in generic `name` given `found` type arguments instead of
/// `expected`.
pub fn wrong_type_arguments(
    file: FileId,
    span: Span,
    name: &str,
    expected: usize,
    found: usize,
) -> Diagnostic {
    let takes = match expected {
        0 => "takes no type arguments".to_string(),
        1 => "takes 1 type argument".to_string(),
        n => format!("takes {n} type arguments"),
    };
    let example = match name {
        "List" => Some("`List<Int>`"),
        "Set" => Some("`Set<Address>`"),
        "Map" => Some("`Map<Address, Money>`, from a key type to a value type"),
        _ => None,
    };
    let diagnostic = Diagnostic::new(
        Code::WrongTypeArguments,
        file,
        span,
        format!(
            "`{name}` {takes}, but {found} {} given",
            if found == 1 { "was" } else { "were" }
        ),
    )
    .with_label(format!("`{name}` {takes}"));
    match example {
        Some(example) => diagnostic.with_help(format!("write it as {example}")),
        None => diagnostic,
    }
}

/// E0114: record `name` contains itself.
pub fn recursive_record(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::RecursiveRecord,
        file,
        span,
        format!("record `{name}` contains itself"),
    )
    .with_label("recursive record")
    .with_note("a record's fields cannot contain the record itself, even through options, collections or other records")
    .with_help("store a key (an `Int` or a `Hash`) and keep the records in a `Map`")
}

/// E0109: `.method()` on persistent state of type `ty` (a `Set` when `is_set`, else a
/// `Map`).
pub fn unknown_persistent_method(
    file: FileId,
    span: Span,
    method: &str,
    ty: &str,
    is_set: bool,
) -> Diagnostic {
    let (list, help) = if is_set {
        ("`contains`, `insert`, `remove` and `len`", None)
    } else {
        (
            "`get`, `contains`, `remove` and `len`",
            (method == "insert").then_some("write an entry with `m[key] = value`"),
        )
    };
    let diagnostic = Diagnostic::new(
        Code::UnknownMethod,
        file,
        span,
        format!("no method `{method}` on persistent `{ty}` state"),
    )
    .with_label("unknown method")
    .with_note(format!("persistent `{ty}` state has {list}"));
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// E0111: `emit name { … }` where `name` is no event: a declaration of `kind`, or
/// unknown; `close` is a near spelling.
pub fn not_an_event(
    file: FileId,
    span: Span,
    name: &str,
    kind: Option<&str>,
    close: Option<&str>,
) -> Diagnostic {
    let message = match kind {
        Some(kind) => format!("`{name}` is a {kind}, not an event"),
        None => format!("unknown event `{name}`"),
    };
    let diagnostic =
        Diagnostic::new(Code::UnknownEvent, file, span, message).with_label("not an event");
    match close {
        Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic.with_help(format!("declare it: `event {name} {{ field: Type, … }}`")),
    }
}

/// E0101: `Name.Variant` in a pattern where `Name` is no enum.
pub fn unknown_enum(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownName,
        file,
        span,
        format!("unknown enum `{name}`"),
    )
    .with_label("not an enum in scope")
}

/// E0110: `name` is declared differently by each of `modules`; `declared` gives each
/// declaration's place and kind.
pub fn ambiguous_name(
    file: FileId,
    span: Span,
    name: &str,
    declared: &[(FileId, Span, &str)],
    modules: &[&str],
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::AmbiguousName,
        file,
        span,
        format!("`{name}` is ambiguous"),
    )
    .with_label(format!("`{name}` could refer to more than one declaration"));
    for (decl_file, decl_span, kind) in declared {
        diagnostic = diagnostic.with_secondary(
            *decl_file,
            *decl_span,
            format!("one {kind} `{name}` is declared here"),
        );
    }
    diagnostic
        .with_note(format!(
            "{} each declare a different `{name}`",
            quoted_list(modules.iter().copied())
        ))
        .with_help("declare the type in one file and import it from there, or rename one of them")
}

/// E0103: `import path` of no standard-library module; `known` are the modules there
/// are, `close` a near spelling.
pub fn unknown_module(
    file: FileId,
    span: Span,
    path: &str,
    known: &[&str],
    close: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownModule,
        file,
        span,
        format!("unknown standard-library module `{path}`"),
    )
    .with_label("no such module")
    .with_note(format!(
        "the standard library has {}",
        quoted_list(known.iter().copied())
    ));
    if !path.starts_with("std.") {
        diagnostic.with_help("import another contract by its path: `import \"file.assent\";`")
    } else if let Some(close) = close {
        diagnostic.with_help(format!("did you mean `{close}`?"))
    } else {
        diagnostic
    }
}

/// E0105: the import at `span` closes the cycle `path` (module names, the first
/// repeated at the end); `imports` are the other imports along it (importer's file, the
/// import's span, the imported module).
pub fn import_cycle(
    file: FileId,
    span: Span,
    path: &[String],
    imports: &[(FileId, Span, String)],
) -> Diagnostic {
    let quoted: Vec<String> = path.iter().map(|name| format!("`{name}`")).collect();
    let target = path.last().map_or("", String::as_str);
    let mut diagnostic = Diagnostic::new(
        Code::ImportCycle,
        file,
        span,
        format!("import cycle: {}", quoted.join(" imports ")),
    )
    .with_label(format!("this import leads back to `{target}`"));
    for (importer_file, import_span, imported) in imports {
        diagnostic = diagnostic.with_secondary(
            *importer_file,
            *import_span,
            format!("`{imported}` is imported here"),
        );
    }
    diagnostic.with_help(
        "move what both files need into a third file, or call the other contract only one way",
    )
}

/// What the receiver of an unknown method is, for advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    Map,
    /// A record with a field named like the method.
    RecordWithField,
    Other,
}

/// E0109: `.method()` on a value of type `ty`, which has `methods`; `close` is a near
/// spelling.
pub fn unknown_method(
    file: FileId,
    span: Span,
    method: &str,
    ty: &str,
    methods: &[&str],
    close: Option<&str>,
    receiver: Receiver,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownMethod,
        file,
        span,
        format!("no method `{method}` on type `{ty}`"),
    )
    .with_label("unknown method");
    let diagnostic = if receiver == Receiver::Map && matches!(method, "insert" | "set" | "put") {
        diagnostic.with_help("write an entry with `m[key] = value`")
    } else if let Some(close) = close {
        diagnostic.with_help(format!("did you mean `{close}`?"))
    } else {
        diagnostic
    };
    let diagnostic = if methods.is_empty() {
        diagnostic.with_note(format!("`{ty}` has no methods"))
    } else {
        diagnostic.with_note(format!(
            "`{ty}` has the methods {}",
            quoted_list(methods.iter().copied())
        ))
    };
    if receiver == Receiver::RecordWithField {
        diagnostic.with_help(format!("`{method}` is a field: read it without `()`"))
    } else {
        diagnostic
    }
}

/// E0109: `Contract(address).method(…)` where `method` is no entry point of `contract`
/// (`is_fn`: it is a plain `fn` there); `entries` are its entry points, `close` a near
/// spelling.
pub fn unknown_entry_point(
    file: FileId,
    span: Span,
    contract: &str,
    method: &str,
    is_fn: bool,
    entries: &[&str],
    close: Option<&str>,
) -> Diagnostic {
    let message = if is_fn {
        format!("`{method}` is a fn of `{contract}`, not an entry point")
    } else {
        format!("contract `{contract}` has no entry point `{method}`")
    };
    let diagnostic = Diagnostic::new(Code::UnknownMethod, file, span, message)
        .with_label("not an entry point")
        .with_note("other contracts can call actions, views and policies");
    if let Some(close) = close {
        diagnostic.with_help(format!("did you mean `{close}`?"))
    } else if !entries.is_empty() {
        diagnostic.with_help(format!(
            "`{contract}` has the entry points {}",
            quoted_list(entries.iter().copied())
        ))
    } else {
        diagnostic
    }
}
