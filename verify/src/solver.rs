//! The SMT solver as a subprocess: Z3 (or cvc5) reading SMT-LIB 2 on its standard input.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::sexpr::{self, Sexpr};

/// How to run the solver.
#[derive(Clone, Debug)]
pub struct Solver {
    /// The program: `z3`, found on the `PATH`, unless given. A program whose file name
    /// contains `cvc5` is run as cvc5 (its own options, no Z3 timeout option).
    pub program: String,
    /// Seconds the solver may spend on one query before its answer is `unknown`.
    pub timeout_seconds: u32,
}

impl Default for Solver {
    fn default() -> Solver {
        Solver {
            program: "z3".to_string(),
            timeout_seconds: 20,
        }
    }
}

/// What the solver said about a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A model exists; the values asked for, as the solver printed them.
    Sat(Vec<(Sexpr, Sexpr)>),
    Unsat,
    /// The solver gave up or ran out of time; its reason when it said one.
    Unknown(String),
}

/// Why the solver could not be asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SolverError {
    /// The program is not on the `PATH` (or cannot be started).
    NotFound { program: String, reason: String },
    /// The solver rejected the query or answered something unreadable: a prover bug,
    /// reported as `unknown` for the property concerned.
    Failed(String),
}

impl std::fmt::Display for SolverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolverError::NotFound { program, reason } if program.contains("cvc5") => write!(
                f,
                "the SMT solver `{program}` cannot be started ({reason}); install cvc5 (Debian and Ubuntu: `sudo apt-get install cvc5`; macOS: `brew install cvc5/cvc5/cvc5`) or leave out `--solver` to use Z3"
            ),
            SolverError::NotFound { program, reason } => write!(
                f,
                "the SMT solver `{program}` cannot be started ({reason}); install Z3 (Debian and Ubuntu: `sudo apt-get install z3`; macOS: `brew install z3`) or name it with `--solver`"
            ),
            SolverError::Failed(message) => write!(f, "the solver failed: {message}"),
        }
    }
}

impl Solver {
    /// Whether the solver can be started at all (`z3 -version`).
    ///
    /// # Errors
    /// [`SolverError::NotFound`] when it cannot.
    pub fn probe(&self) -> Result<(), SolverError> {
        Command::new(&self.program)
            .arg(if self.is_cvc5() {
                "--version"
            } else {
                "-version"
            })
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|_| ())
            .map_err(|error| SolverError::NotFound {
                program: self.program.clone(),
                reason: error.to_string(),
            })
    }

    /// Runs `script` (declarations and assertions, without `check-sat`), then asks for
    /// the values of `wanted` when satisfiable.
    ///
    /// # Errors
    /// [`SolverError`] when the solver cannot be started or answers something unreadable.
    pub fn check(&self, script: &str, wanted: &[String]) -> Result<Answer, SolverError> {
        let cvc5 = self.is_cvc5();
        let milliseconds = u64::from(self.timeout_seconds) * 1000;
        let mut text = String::with_capacity(script.len() + 256);
        if cvc5 {
            text.push_str("(set-logic ALL)\n");
        }
        text.push_str("(set-option :produce-models true)\n");
        if !cvc5 {
            text.push_str(&format!("(set-option :timeout {milliseconds})\n"));
        }
        text.push_str(script);
        text.push_str("(check-sat)\n");
        if !wanted.is_empty() {
            text.push_str("(get-value (");
            text.push_str(&wanted.join(" "));
            text.push_str("))\n");
        }
        text.push_str("(exit)\n");
        let mut command = Command::new(&self.program);
        if cvc5 {
            // Sequences (lists) need cvc5's extended string theory.
            command
                .arg("--lang=smt2")
                .arg("--strings-exp")
                .arg(format!("--tlimit-per={milliseconds}"))
                .arg(format!("--tlimit={}", milliseconds.saturating_add(5000)));
        } else {
            command
                .arg("-in")
                .arg("-smt2")
                // A hard limit besides the per-query one: the process ends whatever it does.
                .arg(format!("-T:{}", self.timeout_seconds.saturating_add(5)));
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| SolverError::NotFound {
                program: self.program.clone(),
                reason: error.to_string(),
            })?;
        // The query is written from another thread while this one reads the answer, so a
        // solver that prints much before it has read everything never blocks both sides.
        let writer = child.stdin.take().map(|mut stdin| {
            std::thread::spawn(move || {
                // A solver that exits early closes its input: its output says why.
                let _ = stdin.write_all(text.as_bytes());
            })
        });
        let output = child
            .wait_with_output()
            .map_err(|error| SolverError::Failed(error.to_string()))?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        Ok(read_answer(&stdout))
    }
}

impl Solver {
    /// Whether the program is cvc5 (by its file name).
    pub fn is_cvc5(&self) -> bool {
        std::path::Path::new(&self.program)
            .file_name()
            .is_some_and(|name| name.to_string_lossy().contains("cvc5"))
    }
}

/// Reads the solver's output: the `check-sat` answer, then the values. Never fails:
/// anything unexpected is an `unknown` answer carrying what the solver said.
pub fn read_answer(stdout: &str) -> Answer {
    let parsed = sexpr::parse_all(stdout);
    let mut items = parsed.iter();
    let mut errors = Vec::new();
    for item in items.by_ref() {
        match item {
            Sexpr::Atom(word) if word == "sat" => {
                let values = items
                    .find_map(|item| {
                        item.list()
                            .filter(|_| item.head() != Some("error"))
                            .map(<[Sexpr]>::to_vec)
                    })
                    .unwrap_or_default();
                let pairs = values
                    .iter()
                    .filter_map(|pair| match pair.list() {
                        Some([name, value]) => Some((name.clone(), value.clone())),
                        _ => None,
                    })
                    .collect();
                return Answer::Sat(pairs);
            }
            Sexpr::Atom(word) if word == "unsat" => return Answer::Unsat,
            Sexpr::Atom(word) if word == "unknown" || word == "timeout" => {
                let reason = if word == "timeout" || stdout.contains("timeout") {
                    "the solver ran out of time".to_string()
                } else {
                    "the solver could not decide".to_string()
                };
                return Answer::Unknown(reason);
            }
            other if other.head() == Some("error") => {
                if let Some(Sexpr::Str(message)) = other.list().and_then(|l| l.get(1)) {
                    errors.push(message.clone());
                }
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        let shown: String = stdout.chars().take(200).collect();
        Answer::Unknown(format!("unreadable solver output: {shown:?}"))
    } else {
        Answer::Unknown(format!("solver error: {}", errors.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_solver_is_reported_not_found() {
        let solver = Solver {
            program: "no-such-solver-on-any-path".to_string(),
            timeout_seconds: 1,
        };
        assert!(matches!(solver.probe(), Err(SolverError::NotFound { .. })));
        assert!(matches!(
            solver.check("", &[]),
            Err(SolverError::NotFound { .. })
        ));
    }

    #[test]
    fn answers_are_read_robustly() {
        assert_eq!(
            read_answer("unsat\n(error \"model is not available\")"),
            Answer::Unsat
        );
        assert!(matches!(read_answer("sat\n((x #x01))"), Answer::Sat(v) if v.len() == 1));
        assert!(matches!(read_answer("timeout\n"), Answer::Unknown(_)));
        assert!(matches!(read_answer(""), Answer::Unknown(_)));
        assert!(matches!(read_answer("(error \"x\")\nsat"), Answer::Sat(_)));
        assert!(matches!(read_answer("garbage ((("), Answer::Unknown(_)));
    }
}
