//! Counts in messages for people: `1 block`, `2 blocks`.

/// `n` and the noun in the form its number takes: `count(1, "block", "blocks")` is
/// `1 block`, `count(0, …)` is `0 blocks`.
pub fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_takes_the_singular_and_every_other_count_the_plural() {
        let cases = [
            (0usize, "0 blocks"),
            (1, "1 block"),
            (2, "2 blocks"),
            (11, "11 blocks"),
        ];
        for (n, expected) in cases {
            assert_eq!(count(n, "block", "blocks"), expected);
        }
    }
}
