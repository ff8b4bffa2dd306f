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

/// Rows of columns for people, drawn by comfy-table (borderless, never wrapped: they hold IDs and
/// paths that people copy). A cell wider than `cap` does not widen its column: it keeps a line
/// of its own and the rest of its row follows on the next. When a row would cross `width`, every
/// row's last cell goes under the one before it, so that the rows read alike. Cells may be
/// styled and hold several lines; callers escape and bound what they pass.
pub fn columns(rows: &[Vec<String>], width: usize, cap: usize) -> String {
    let lines: Vec<Line> = rows.iter().cloned().map(Line::Row).collect();
    table(&lines, width, cap)
}

/// A line of a [`table`]: a row of cells, or text of its own (a heading, a blank line) that
/// keeps its place among the rows and does not count towards their columns.
pub enum Line {
    Row(Vec<String>),
    Text(String),
}

/// [`columns`], with lines of text between the rows.
pub fn table(lines: &[Line], width: usize, cap: usize) -> String {
    let rows: Vec<&Vec<String>> = lines
        .iter()
        .filter_map(|line| match line {
            Line::Row(row) => Some(row),
            Line::Text(_) => None,
        })
        .collect();
    let count = rows.iter().map(|row| row.len()).max().unwrap_or(0);
    let widest = |cell: &str| cell.lines().map(measure_text_width).max().unwrap_or(0);
    // A row's overlong cells (not its last) and everything before them lead on their own line.
    let split: Vec<(usize, Vec<String>)> = rows
        .iter()
        .map(|row| {
            let lead = row
                .iter()
                .enumerate()
                .take(row.len().saturating_sub(1))
                .rfind(|(_, cell)| widest(cell) > cap)
                .map_or(0, |(i, _)| i + 1);
            let mut body: Vec<String> = (*row).clone();
            for cell in body.iter_mut().take(lead) {
                cell.clear();
            }
            (lead, body)
        })
        .collect();
    let draw = |bodies: &[Vec<String>]| {
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::NOTHING)
            .set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        for body in bodies {
            table.add_row(body.clone());
        }
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
        table
    };
    let mut bodies: Vec<Vec<String>> = split.iter().map(|(_, body)| body.clone()).collect();
    let mut table = draw(&bodies);
    if count > 2
        && table
            .lines()
            .any(|line| 2 + measure_text_width(line.trim_end()) > width)
    {
        for body in &mut bodies {
            if body.len() == count
                && let Some(last) = body.pop()
                && let Some(before) = body.last_mut()
            {
                before.push('\n');
                before.push_str(&last);
            }
        }
        table = draw(&bodies);
    }
    let widths: Vec<usize> = table
        .column_max_content_widths()
        .into_iter()
        .map(usize::from)
        .collect();
    let start = |column: usize| {
        2 + widths[..column.min(widths.len())]
            .iter()
            .map(|w| w + 2)
            .sum::<usize>()
    };
    let mut drawn = table.lines();
    let mut text = String::new();
    let mut rows = split.iter().zip(&bodies).zip(rows);
    for line in lines {
        let Line::Row(_) = line else {
            if let Line::Text(own) = line {
                let _ = writeln!(text, "{own}");
            }
            continue;
        };
        let Some((((lead, _), body), row)) = rows.next() else {
            break;
        };
        if *lead > 0 {
            let mut line = String::new();
            for (i, cell) in row.iter().take(*lead).enumerate() {
                let used = measure_text_width(&line);
                let at = start(i).max(if used == 0 { 0 } else { used + 2 });
                line.push_str(&" ".repeat(at - used));
                line.push_str(cell);
            }
            let _ = writeln!(text, "{}", line.trim_end());
        }
        let height = body
            .iter()
            .map(|c| c.lines().count())
            .max()
            .unwrap_or(1)
            .max(1);
        for line in drawn.by_ref().take(height) {
            let line = line.trim_end();
            if !line.is_empty() || *lead == 0 {
                let _ = writeln!(text, "{}", format!("  {line}").trim_end());
            }
        }
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
        let text = columns(&rows, 80, 48);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  A            short  from here");
        assert_eq!(lines[1], "  LONGER_NAME  v      from there");
        assert_eq!(lines[2], "                      and overrides x");
        // A value wider than the cap keeps its line; the rest follows, aligned.
        assert_eq!(lines[3], format!("  B            {}", "x".repeat(60)));
        assert_eq!(lines[4], "                      source");
        // One row too wide for the terminal puts every row's last cell on its own line.
        let narrow = columns(&rows[..2], 30, 48);
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
