
use builtin;
use str;

set edit:completion:arg-completer[claude-bedrock] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'claude-bedrock'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'claude-bedrock'= {
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand setup 'Set up Claude Code for Bedrock: credentials, region, models; writes settings.json'
            cand doctor 'Diagnose why Claude Code on Bedrock does or doesn''t work'
            cand models 'List the inference profiles (models) this account can use in the region'
            cand config 'Show the effective configuration Claude Code will see, and where each value comes from'
            cand policy 'Print the least-privilege IAM policy that lets this configuration work'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the manual page (roff), or write every page to a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'claude-bedrock;setup'= {
            cand --auth 'How Claude Code authenticates: an AWS profile (--profile), a Bedrock API key, access keys stored as a profile, or the credentials already in the environment'
            cand --opus 'Pin the Opus tier (ANTHROPIC_DEFAULT_OPUS_MODEL)'
            cand --sonnet 'Pin the Sonnet tier (ANTHROPIC_DEFAULT_SONNET_MODEL)'
            cand --haiku 'Pin the Haiku tier (ANTHROPIC_DEFAULT_HAIKU_MODEL)'
            cand --model 'Set the primary model (ANTHROPIC_MODEL)'
            cand --scope 'Which settings file to write [default: user]'
            cand --format 'Output format of the result'
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand -y 'Answer every prompt from flags and defaults (required without a terminal)'
            cand --yes 'Answer every prompt from flags and defaults (required without a terminal)'
            cand --bearer-key-stdin 'With --auth bearer: read the API key from standard input instead of AWS_BEARER_TOKEN_BEDROCK'
            cand --1m 'Use the 1M-token context window ([1m]) where the pinned model offers it'
            cand --aws-auth-refresh 'Add awsAuthRefresh ("aws sso login --profile …") for an SSO profile'
            cand --no-aws-auth-refresh 'Remove awsAuthRefresh'
            cand --no-probe 'Make no network call: no verification, no discovery, no probes'
            cand --dry-run 'Show the changes and write nothing'
            cand --force 'Pin models even when their probe fails, and continue past a failed verification'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;doctor'= {
            cand --claude-bin 'The Claude Code executable to check [default: `claude` on PATH]'
            cand --format 'Output format of the report (--fix: human or json)'
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --offline 'Make no network call: check only the configuration'
            cand --strict 'Exit 1 on warnings too'
            cand --mantle 'Check Bedrock''s Mantle endpoint even when CLAUDE_CODE_USE_MANTLE is off'
            cand --client 'Rehearse with your own `claude` even when it would not run by default (offline: against a loopback fake); fails when no `claude` is found'
            cand --trace-client 'Rehearse with your own `claude` even when it would not run by default (offline: against a loopback fake); fails when no `claude` is found'
            cand --no-client 'Do not run your `claude` (its version is still checked)'
            cand --no-cache 'Run the client again even if a recent rehearsal of the same client and configuration is cached'
            cand --fix 'Apply the fixes that are mechanical (asks once, shows every change first)'
            cand -y 'With --fix: apply without asking'
            cand --yes 'With --fix: apply without asking'
            cand --dry-run 'With --fix: show the changes, write nothing'
            cand --show-account 'In the Markdown report: show the account id and IAM names (masked by default)'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;models'= {
            cand --format 'Output format of the list'
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --all 'List every provider''s profiles, not only Anthropic''s'
            cand --probe 'Test each profile with a one-token request'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;config'= {
            cand --format 'Output format of the configuration'
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;policy'= {
            cand --sid-prefix 'What each statement''s Sid starts with (letters and digits)'
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --offline 'Make no AWS call: what cannot be measured (the account, where profiles route, which model an unpinned tier settles on) is named and left to a narrow wildcard'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;completions'= {
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;man'= {
            cand --dir 'Write every page (claude-bedrock.1, claude-bedrock-doctor.1, …) into DIR instead'
            cand --profile 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)'
            cand --region 'AWS region to use instead of the one Claude Code would resolve'
            cand --claude-config-dir 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]'
            cand --project-dir 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]'
            cand --managed-settings-dir 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]'
            cand --output 'Write the document to FILE (atomically) instead of stdout'
            cand --color 'When to use colour (NO_COLOR is respected under auto)'
            cand --timeout 'Seconds before any network call is abandoned'
            cand --json 'Print a JSON document (shorthand for --format json); a fatal error is one too'
            cand --ascii 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
            cand -v 'More detail: check ids and timings, passing checks'' details, every network call'
            cand --verbose 'More detail: check ids and timings, passing checks'' details, every network call'
            cand -q 'Only the summary line (and problems)'
            cand --quiet 'Only the summary line (and problems)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'claude-bedrock;help'= {
            cand setup 'Set up Claude Code for Bedrock: credentials, region, models; writes settings.json'
            cand doctor 'Diagnose why Claude Code on Bedrock does or doesn''t work'
            cand models 'List the inference profiles (models) this account can use in the region'
            cand config 'Show the effective configuration Claude Code will see, and where each value comes from'
            cand policy 'Print the least-privilege IAM policy that lets this configuration work'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the manual page (roff), or write every page to a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'claude-bedrock;help;setup'= {
        }
        &'claude-bedrock;help;doctor'= {
        }
        &'claude-bedrock;help;models'= {
        }
        &'claude-bedrock;help;config'= {
        }
        &'claude-bedrock;help;policy'= {
        }
        &'claude-bedrock;help;completions'= {
        }
        &'claude-bedrock;help;man'= {
        }
        &'claude-bedrock;help;help'= {
        }
    ]
    $completions[$command]
}
