//! Text that came from outside (a settings value, a key name, an AWS message) made safe for a
//! terminal and for text reports: a cloned repository's `.claude/settings.json` must not be able
//! to retitle the window, clear the screen, or print a forged `✓` line.

use std::borrow::Cow;
use std::fmt::Write;

use console::{Style, measure_text_width};
use textwrap::{Options, WordSeparator, WordSplitter};

/// Values longer than this are shown cut, with their length: one 1 MB value must not turn a
/// table into a minute of wrapping.
pub const MAX_VALUE_CHARS: usize = 400;
/// A report line (summary, detail, fix) longer than this is cut the same way.
pub const MAX_LINE_CHARS: usize = 2_000;

/// Rows of columns for people, aligned, never wrapped: they hold IDs and paths that people copy.
/// A cell wider than `cap` does not widen its column: the rest of its row moves to the next
/// line. When any row's last cell would cross `width`, every row's last cell goes on a line of
/// its own, under the second column, so that the rows read alike. Cells may be styled; a last
/// cell of several lines keeps them aligned.
pub fn aligned(rows: &[Vec<String>], width: usize, cap: usize) -> String {
    use console::measure_text_width as measure;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns.saturating_sub(1)) {
            let w = measure(cell);
            if w <= cap {
                widths[i] = widths[i].max(w);
            }
        }
    }
    let start = |column: usize| 2 + widths[..column].iter().map(|w| w + 2).sum::<usize>();
    let widest = |cell: &String| cell.lines().map(measure).max().unwrap_or(0);
    let stacked = columns > 2
        && rows.iter().any(|row| {
            row.last()
                .is_some_and(|last| start(row.len() - 1) + widest(last) > width)
        });
    let mut text = String::new();
    let flush = |line: &mut String, text: &mut String| {
        text.push_str(line.trim_end());
        text.push('\n');
        line.clear();
    };
    for row in rows {
        let mut line = String::from("  ");
        let mut used = 2;
        for (i, cell) in row.iter().enumerate() {
            let last = i + 1 == row.len();
            let mut column = start(i);
            if last && stacked {
                flush(&mut line, &mut text);
                used = 0;
                column = start(1);
            }
            if used < column {
                line.push_str(&" ".repeat(column - used));
                used = column;
            }
            let indent = used;
            let mut lines = cell.lines();
            let first = lines.next().unwrap_or("");
            line.push_str(first);
            used += measure(first);
            for more in lines {
                flush(&mut line, &mut text);
                line.push_str(&" ".repeat(indent));
                line.push_str(more);
                used = indent + measure(more);
            }
            if !last && measure(cell) > widths[i] {
                // Too wide for its column: the rest of the row starts on the next line.
                flush(&mut line, &mut text);
                used = 0;
            }
        }
        flush(&mut line, &mut text);
    }
    text
}

/// Wraps at spaces only: model IDs and paths are full of hyphens that must not become breaks.
pub fn wrap(text: &str, width: usize) -> Vec<Cow<'_, str>> {
    textwrap::wrap(
        text,
        Options::new(width)
            .word_separator(WordSeparator::AsciiSpace)
            .word_splitter(WordSplitter::NoHyphenation)
            .break_words(false),
    )
}

/// `label` then `body` after `hang`, wrapped at `width` with the continuation lines under the
/// body. Callers escape what they pass.
pub fn wrapped(
    text: &mut String,
    hang: &str,
    label: &str,
    body: &str,
    width: usize,
    label_style: Style,
    body_style: Style,
) {
    let label_width = measure_text_width(label);
    let available = width.saturating_sub(hang.len() + label_width).max(30);
    for (i, piece) in wrap(body, available).into_iter().enumerate() {
        let lead = if i == 0 {
            label.to_string()
        } else {
            " ".repeat(label_width)
        };
        let _ = writeln!(
            text,
            "{hang}{}{}",
            label_style.apply_to(lead),
            body_style.apply_to(piece)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_never_wrap_a_value() {
        let rows = vec![
            vec!["A".to_string(), "short".into(), "from here".into()],
            vec![
                "LONGER_NAME".to_string(),
                "v".into(),
                "from there\nand overrides x".into(),
            ],
            vec!["B".to_string(), "x".repeat(60), "source".into()],
        ];
        let text = aligned(&rows, 80, 48);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  A            short  from here");
        assert_eq!(lines[1], "  LONGER_NAME  v      from there");
        assert_eq!(lines[2], "                      and overrides x");
        // A value wider than the cap keeps its line; the rest follows, aligned.
        assert_eq!(lines[3], format!("  B            {}", "x".repeat(60)));
        assert_eq!(lines[4], "                      source");
        // One row too wide for the terminal puts every row's last cell on its own line.
        let narrow = aligned(&rows[..2], 30, 48);
        assert_eq!(
            narrow.lines().collect::<Vec<_>>(),
            [
                "  A            short",
                "               from here",
                "  LONGER_NAME  v",
                "               from there",
                "               and overrides x"
            ]
        );
    }
}
