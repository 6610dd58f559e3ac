#!/usr/bin/env bash
# The step of the confluence-sync GitHub Action (action.yml): run one command, put the plan or
# sync report into the job summary, record outputs, and exit with the command's own status.
#
# Reads INPUT_COMMAND (check|plan|sync|diff|pull|doctor), INPUT_ARGS, INPUT_ALLOW_LOCAL and the CONFLUENCE_*
# variables; writes to GITHUB_STEP_SUMMARY and GITHUB_OUTPUT when they are set.
set -uo pipefail

command="${INPUT_COMMAND:-check}"
case "$command" in
  check | plan | sync | diff | pull | doctor) ;;
  *)
    echo "::error::unknown command '$command': expected check, plan, sync, diff, pull or doctor"
    exit 2
    ;;
esac
read -ra extra <<< "${INPUT_ARGS:-}"
report="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/confluence-sync-report.json"
output="${GITHUB_OUTPUT:-/dev/null}"

local_flag=()
if [[ -z "${CONFLUENCE_URL:-}" && "${INPUT_ALLOW_LOCAL:-false}" == "true" && "$command" != "check" ]]; then
  echo "::notice::CONFLUENCE_URL is not set; using the embedded local wiki"
  local_flag=(--local)
fi

rm -f "$report"
case "$command" in
  check)
    confluence-sync check --github ${extra[@]+"${extra[@]}"}
    ;;
  plan | sync)
    confluence-sync "$command" --github --json ${local_flag[@]+"${local_flag[@]}"} \
      ${extra[@]+"${extra[@]}"} > "$report"
    ;;
  diff)
    confluence-sync diff --color always ${local_flag[@]+"${local_flag[@]}"} ${extra[@]+"${extra[@]}"}
    ;;
  pull | doctor)
    confluence-sync "$command" ${local_flag[@]+"${local_flag[@]}"} ${extra[@]+"${extra[@]}"}
    ;;
esac
status=$?

if [[ -s "$report" ]]; then
  confluence-sync github summary "$report" || echo "::warning::the step summary could not be written"
  echo "report=$report" >> "$output"
fi
echo "exit-code=$status" >> "$output"
exit "$status"
