
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'claude-bedrock' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'claude-bedrock'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'claude-bedrock' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Set up Claude Code for Bedrock: credentials, region, models; writes settings.json')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Diagnose why Claude Code on Bedrock does or doesn''t work')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the inference profiles (models) this account can use in the region')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective configuration Claude Code will see, and where each value comes from')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Print the least-privilege IAM policy that lets this configuration work')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), or write every page to a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'claude-bedrock;setup' {
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'How Claude Code authenticates: an AWS profile (--profile), a Bedrock API key, access keys stored as a profile, or the credentials already in the environment')
            [CompletionResult]::new('--opus', '--opus', [CompletionResultType]::ParameterName, 'Pin the Opus tier (ANTHROPIC_DEFAULT_OPUS_MODEL)')
            [CompletionResult]::new('--sonnet', '--sonnet', [CompletionResultType]::ParameterName, 'Pin the Sonnet tier (ANTHROPIC_DEFAULT_SONNET_MODEL)')
            [CompletionResult]::new('--haiku', '--haiku', [CompletionResultType]::ParameterName, 'Pin the Haiku tier (ANTHROPIC_DEFAULT_HAIKU_MODEL)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Set the primary model (ANTHROPIC_MODEL)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Which settings file to write [default: user]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the result')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer every prompt from flags and defaults (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer every prompt from flags and defaults (required without a terminal)')
            [CompletionResult]::new('--bearer-key-stdin', '--bearer-key-stdin', [CompletionResultType]::ParameterName, 'With --auth bearer: read the API key from standard input instead of AWS_BEARER_TOKEN_BEDROCK')
            [CompletionResult]::new('--1m', '--1m', [CompletionResultType]::ParameterName, 'Use the 1M-token context window ([1m]) where the pinned model offers it')
            [CompletionResult]::new('--aws-auth-refresh', '--aws-auth-refresh', [CompletionResultType]::ParameterName, 'Add awsAuthRefresh ("aws sso login --profile …") for an SSO profile')
            [CompletionResult]::new('--no-aws-auth-refresh', '--no-aws-auth-refresh', [CompletionResultType]::ParameterName, 'Remove awsAuthRefresh')
            [CompletionResult]::new('--no-probe', '--no-probe', [CompletionResultType]::ParameterName, 'Make no network call: no verification, no discovery, no probes')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the changes and write nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Pin models even when their probe fails, and continue past a failed verification')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;doctor' {
            [CompletionResult]::new('--claude-bin', '--claude-bin', [CompletionResultType]::ParameterName, 'The Claude Code executable to check [default: `claude` on PATH]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the report (--fix: human or json)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Make no network call: check only the configuration')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('--mantle', '--mantle', [CompletionResultType]::ParameterName, 'Check Bedrock''s Mantle endpoint even when CLAUDE_CODE_USE_MANTLE is off')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Rehearse with your own `claude` even when it would not run by default (offline: against a loopback fake); fails when no `claude` is found')
            [CompletionResult]::new('--trace-client', '--trace-client', [CompletionResultType]::ParameterName, 'Rehearse with your own `claude` even when it would not run by default (offline: against a loopback fake); fails when no `claude` is found')
            [CompletionResult]::new('--no-client', '--no-client', [CompletionResultType]::ParameterName, 'Do not run your `claude` (its version is still checked)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Run the client again even if a recent rehearsal of the same client and configuration is cached')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Apply the fixes that are mechanical (asks once, shows every change first)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With --fix: apply without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With --fix: apply without asking')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --fix: show the changes, write nothing')
            [CompletionResult]::new('--show-account', '--show-account', [CompletionResultType]::ParameterName, 'In the Markdown report: show the account id and IAM names (masked by default)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;models' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the list')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every provider''s profiles, not only Anthropic''s')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Test each profile with a one-token request')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;config' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the configuration')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;policy' {
            [CompletionResult]::new('--sid-prefix', '--sid-prefix', [CompletionResultType]::ParameterName, 'What each statement''s Sid starts with (letters and digits)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Make no AWS call: what cannot be measured (the account, where profiles route, which model an unpinned tier settles on) is named and left to a narrow wildcard')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;completions' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page (claude-bedrock.1, claude-bedrock-doctor.1, …) into DIR instead')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region to use instead of the one Claude Code would resolve')
            [CompletionResult]::new('--claude-config-dir', '--claude-config-dir', [CompletionResultType]::ParameterName, 'Claude Code''s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]')
            [CompletionResult]::new('--managed-settings-dir', '--managed-settings-dir', [CompletionResultType]::ParameterName, 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the document to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is respected under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds before any network call is abandoned')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON document (shorthand for --format json); a fatal error is one too')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail: check ids and timings, passing checks'' details, every network call')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only the summary line (and problems)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'claude-bedrock;help' {
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Set up Claude Code for Bedrock: credentials, region, models; writes settings.json')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Diagnose why Claude Code on Bedrock does or doesn''t work')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'List the inference profiles (models) this account can use in the region')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective configuration Claude Code will see, and where each value comes from')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Print the least-privilege IAM policy that lets this configuration work')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), or write every page to a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'claude-bedrock;help;setup' {
            break
        }
        'claude-bedrock;help;doctor' {
            break
        }
        'claude-bedrock;help;models' {
            break
        }
        'claude-bedrock;help;config' {
            break
        }
        'claude-bedrock;help;policy' {
            break
        }
        'claude-bedrock;help;completions' {
            break
        }
        'claude-bedrock;help;man' {
            break
        }
        'claude-bedrock;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
