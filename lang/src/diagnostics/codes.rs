//! Every diagnostic code, with a one-line summary. `docs/errors.md` explains each with
//! an example, and `tests/diagnostics` has a snapshot of each.
//!
//! Codes are stable: never renumber one, never reuse a retired one. Add new codes at the
//! end of their group.

macro_rules! codes {
    ($( $(#[$meta:meta])* $name:ident = $code:literal, $summary:literal; )*) => {
        /// A stable diagnostic code: `E` + four digits for errors, `W` + four for warnings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$meta])* $name, )*
        }

        impl Code {
            /// Every code, in numeric order within its group.
            pub const ALL: &'static [Code] = &[ $( Code::$name, )* ];

            /// The code as printed, e.g. `E0201`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$name => $code, )* }
            }

            /// A one-line summary, e.g. for `docs/errors.md` headings.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$name => $summary, )* }
            }
        }
    };
}

codes! {
    // ---- E00xx: lexical structure and syntax -------------------------------------------
    UnterminatedString = "E0001", "unterminated string literal";
    UnterminatedComment = "E0002", "unterminated block comment";
    InvalidEscape = "E0003", "invalid escape sequence in a string";
    IntLiteralOutOfRange = "E0004", "integer literal out of range";
    InvalidMoneyLiteral = "E0005", "invalid money literal (at most 2 decimals, within range)";
    InvalidPercentLiteral = "E0006", "invalid percent literal (at most 2 decimals, within range)";
    InvalidDurationLiteral = "E0007", "invalid duration literal";
    InvalidTimeLiteral = "E0008", "invalid time literal";
    InvalidHexLiteral = "E0009", "invalid hex literal (an even number of hex digits)";
    UnexpectedCharacter = "E0010", "a character that cannot start any token";
    UnexpectedToken = "E0011", "syntax error: something else was expected here";
    NestingTooDeep = "E0012", "nesting too deep";
    MissingContract = "E0013", "a contract file must start with `contract Name;`";
    ReservedWord = "E0014", "a reserved word used as a name";
    ChainedComparison = "E0015", "comparison operators do not chain";
    WordOperator = "E0016", "`and`, `or` or `not` written for `&&`, `||` or `!`";
    InvalidInterpolation = "E0017", "a brace in a string that opens or closes no interpolation";

    // ---- E01xx: names, imports, declarations -------------------------------------------
    UnknownName = "E0101", "unknown name";
    DuplicateDefinition = "E0102", "a name defined twice in the same scope";
    UnknownModule = "E0103", "unknown standard-library module";
    ImportNotFound = "E0104", "an imported file cannot be read";
    ImportCycle = "E0105", "import cycle";
    UnknownType = "E0106", "unknown type";
    UnknownField = "E0107", "unknown field";
    UnknownVariant = "E0108", "unknown enum variant";
    UnknownMethod = "E0109", "unknown method";
    AmbiguousName = "E0110", "two imports bring different declarations of one name";
    UnknownEvent = "E0111", "unknown event";
    WrongTypeArguments = "E0112", "wrong number of type arguments";
    ImportNotContract = "E0113", "an imported file is not a contract";
    RecursiveRecord = "E0114", "a record that contains itself";

    // ---- E02xx: types -------------------------------------------------------------------
    TypeMismatch = "E0201", "mismatched types";
    InvalidOperands = "E0202", "an operator applied to types it does not take";
    WrongArgumentCount = "E0203", "wrong number of arguments";
    MissingField = "E0204", "a record or event field is missing";
    DuplicateField = "E0205", "a field given twice";
    NotCallable = "E0206", "calling something that is not a function";
    MapAsKey = "E0207", "a `Map` used as a map key or set element";
    CannotInferType = "E0208", "the type of an empty collection or `none` cannot be known";
    IfWithoutElse = "E0209", "an `if` without `else` used as a value";
    NoValue = "E0210", "a call without a result used as a value";
    RangeOutsideFor = "E0211", "a range `a..b` or a key prefix `m.prefix(…)` used outside a `for` loop";
    NotConstant = "E0212", "a constant or state initialiser that is not a compile-time constant";
    PatternMismatch = "E0213", "a pattern that does not fit the matched type";
    PersistentAsValue = "E0214", "a persistent `Map` or `Set` state used as a whole value";
    InvalidAssignTarget = "E0215", "the left side of `=` is not a place";
    NotAPolicy = "E0216", "`authorize` of something that is not a policy call";
    PrefixMismatch = "E0217", "a key prefix `m.prefix(…)` that does not fit the collection's key";

    // ---- E03xx: effects, mutability, control flow ----------------------------------------
    WriteOutsideAction = "E0301", "state written outside `init` or an action";
    EmitOutsideAction = "E0302", "`emit` or `audit` outside `init` or an action";
    AssignToImmutable = "E0303", "assignment to an immutable binding";
    StateNotInitialised = "E0304", "a state without initialiser not assigned on every path of `init`";
    WriteInsideItsLoop = "E0305", "a persistent collection written inside a loop over it";
    ActionCalledInternally = "E0306", "an action of this contract called from contract code";
    CrossActionFromReadOnly = "E0307", "another contract's action called from a view, policy or fn";
    MissingReturn = "E0308", "a function with a result type that can end without returning";
    Recursion = "E0309", "recursion: the call graph has a cycle";
    ReturnOutsideFunction = "E0310", "`return` where no value or a different value is expected";
    DuplicateInit = "E0311", "more than one `init`";
    JumpOutsideLoop = "E0312", "`break` or `continue` outside a `for` loop";
    PropertyStatement = "E0313", "a property body holds only `let`, `assume` and `assert`";
    PropertyCalled = "E0314", "a property called from code";

    // ---- E04xx: policies, match, events ---------------------------------------------------
    DuplicateRuleLabel = "E0401", "two rules of one policy with the same label";
    NonExhaustiveMatch = "E0402", "a `match` that does not cover every case";
    TooManyIndexed = "E0403", "more than 3 `indexed` fields in an event";
    DuplicateDefault = "E0404", "more than one `default` in a policy";
    IndexedInRecord = "E0405", "`indexed` on a record field";

    // ---- W0xxx: warnings (exit status stays 0) ----------------------------------------------
    RuleNeverDecides = "W0001", "a policy rule that can never decide";
    UnreachableArm = "W0002", "a `match` arm that can never be reached";
    UnusedVariable = "W0003", "a local binding that is never read";
}

impl Code {
    /// Warnings start with `W`; everything else is an error.
    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
