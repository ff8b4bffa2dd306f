# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_claude_bedrock_global_optspecs
    string join \n profile= region= claude-config-dir= project-dir= managed-settings-dir= json output= color= ascii v/verbose q/quiet timeout= h/help V/version
end

function __fish_claude_bedrock_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_claude_bedrock_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_claude_bedrock_using_subcommand
    set -l cmd (__fish_claude_bedrock_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "setup" -d 'Set up Claude Code for Bedrock: credentials, region, models; writes settings.json'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "doctor" -d 'Diagnose why Claude Code on Bedrock does or doesn\'t work'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "models" -d 'List the inference profiles (models) this account can use in the region'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "config" -d 'Show the effective configuration Claude Code will see, and where each value comes from'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "policy" -d 'Print the least-privilege IAM policy that lets this configuration work'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "man" -d 'Print the manual page (roff), or write every page to a directory'
complete -c claude-bedrock -n "__fish_claude_bedrock_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l auth -d 'How Claude Code authenticates: an AWS profile (--profile), a Bedrock API key, access keys stored as a profile, or the credentials already in the environment' -r -f -a "profile\t''
bearer\t''
keys\t''
env\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l opus -d 'Pin the Opus tier (ANTHROPIC_DEFAULT_OPUS_MODEL)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l sonnet -d 'Pin the Sonnet tier (ANTHROPIC_DEFAULT_SONNET_MODEL)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l haiku -d 'Pin the Haiku tier (ANTHROPIC_DEFAULT_HAIKU_MODEL)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l model -d 'Set the primary model (ANTHROPIC_MODEL)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l scope -d 'Which settings file to write [default: user]' -r -f -a "user\t'~/.claude/settings.json: every project'
local\t'.claude/settings.local.json: this project, not committed'
project\t'.claude/settings.json: this project, committed (no secrets)'"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l format -d 'Output format of the result' -r -f -a "human\t'For a person at a terminal'
json\t'A JSON document, with a schema_version'"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -s y -l yes -d 'Answer every prompt from flags and defaults (required without a terminal)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l bearer-key-stdin -d 'With --auth bearer: read the API key from standard input instead of AWS_BEARER_TOKEN_BEDROCK'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l 1m -d 'Use the 1M-token context window ([1m]) where the pinned model offers it'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l aws-auth-refresh -d 'Add awsAuthRefresh ("aws sso login --profile …") for an SSO profile'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l no-aws-auth-refresh -d 'Remove awsAuthRefresh'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l no-probe -d 'Make no network call: no verification, no discovery, no probes'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l dry-run -d 'Show the changes and write nothing'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l force -d 'Pin models even when their probe fails, and continue past a failed verification'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand setup" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l claude-bin -d 'The Claude Code executable to check [default: `claude` on PATH]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l format -d 'Output format of the report (--fix: human or json)' -r -f -a "human\t'For a person at a terminal'
json\t'The JSON report, with a schema_version'
markdown\t'A redacted report to paste into a support ticket or an issue'
junit\t'JUnit XML for CI dashboards: one test case per check'"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l offline -d 'Make no network call: check only the configuration'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l strict -d 'Exit 1 on warnings too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l mantle -d 'Check Bedrock\'s Mantle endpoint even when CLAUDE_CODE_USE_MANTLE is off'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l client -l trace-client -d 'Rehearse with your own `claude` even when it would not run by default (offline: against a loopback fake); fails when no `claude` is found'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l no-client -d 'Do not run your `claude` (its version is still checked)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l no-cache -d 'Run the client again even if a recent rehearsal of the same client and configuration is cached'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l fix -d 'Apply the fixes that are mechanical (asks once, shows every change first)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -s y -l yes -d 'With --fix: apply without asking'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l dry-run -d 'With --fix: show the changes, write nothing'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l show-account -d 'In the Markdown report: show the account id and IAM names (masked by default)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l format -d 'Output format of the list' -r -f -a "human\t'For a person at a terminal'
json\t'A JSON document, with a schema_version'"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l all -d 'List every provider\'s profiles, not only Anthropic\'s'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l probe -d 'Test each profile with a one-token request'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand models" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l format -d 'Output format of the configuration' -r -f -a "human\t'For a person at a terminal'
json\t'A JSON document, with a schema_version'"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand config" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l sid-prefix -d 'What each statement\'s Sid starts with (letters and digits)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l offline -d 'Make no AWS call: what cannot be measured (the account, where profiles route, which model an unpinned tier settles on) is named and left to a narrow wildcard'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand policy" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand completions" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l dir -d 'Write every page (claude-bedrock.1, claude-bedrock-doctor.1, …) into DIR instead' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l profile -d 'AWS profile to use instead of AWS_PROFILE (as the AWS CLI spells it)' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l region -d 'AWS region to use instead of the one Claude Code would resolve' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l claude-config-dir -d 'Claude Code\'s user configuration directory [default: $CLAUDE_CONFIG_DIR, else ~/.claude]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l project-dir -d 'Project whose .claude/settings.json and .claude/settings.local.json apply [default: current directory]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l managed-settings-dir -d 'Directory of managed-settings.json and managed-settings.d/ [default: /etc/claude-code; macOS: /Library/Application Support/ClaudeCode]' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l output -d 'Write the document to FILE (atomically) instead of stdout' -r -F
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l color -d 'When to use colour (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l timeout -d 'Seconds before any network call is abandoned' -r
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l json -d 'Print a JSON document (shorthand for --format json); a fatal error is one too'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -l ascii -d 'Plain ASCII only ([ok], [FAIL], -> ...): the default when the locale is not UTF-8'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -s v -l verbose -d 'More detail: check ids and timings, passing checks\' details, every network call'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -s q -l quiet -d 'Only the summary line (and problems)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand man" -s V -l version -d 'Print version'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "setup" -d 'Set up Claude Code for Bedrock: credentials, region, models; writes settings.json'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "doctor" -d 'Diagnose why Claude Code on Bedrock does or doesn\'t work'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "models" -d 'List the inference profiles (models) this account can use in the region'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "config" -d 'Show the effective configuration Claude Code will see, and where each value comes from'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "policy" -d 'Print the least-privilege IAM policy that lets this configuration work'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "man" -d 'Print the manual page (roff), or write every page to a directory'
complete -c claude-bedrock -n "__fish_claude_bedrock_using_subcommand help; and not __fish_seen_subcommand_from setup doctor models config policy completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
