#!/usr/bin/env bash
# Re-extract every tr()/translate() string of ocv_desktop/ui (all GUI modules, whoever wrote them)
# into resources/translations/ocv_desktop_<lang>.ts, then compile each .ts into the .qm file the app
# loads from ocv_desktop/ui/resources/translations (package data).
#
#   scripts/update-translations.sh            # every existing .ts (zh_CN today)
#   scripts/update-translations.sh ja_JP      # also start a new language
#
# After running it, translate the entries marked type="unfinished" (pyside6-linguist, or by hand),
# and run it again to compile. tests/ui/test_i18n.py fails while a string is missing or unfinished.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PYSIDE6_BIN:-.venv/bin}
TS_DIR=resources/translations
QM_DIR=ocv_desktop/ui/resources/translations
mkdir -p "$TS_DIR" "$QM_DIR"

langs=("$@")
if [ ${#langs[@]} -eq 0 ]; then
  for ts in "$TS_DIR"/ocv_desktop_*.ts; do
    [ -e "$ts" ] || continue
    name=$(basename "$ts" .ts)
    langs+=("${name#ocv_desktop_}")
  done
fi
[ ${#langs[@]} -gt 0 ] || { echo "no .ts files in $TS_DIR; name a language, e.g. zh_CN" >&2; exit 1; }

mapfile -t sources < <( (find ocv_desktop/ui -name "*.py" -not -path "*/__pycache__/*"; echo ocv_desktop/services/session.py) | LC_ALL=C sort)
for lang in "${langs[@]}"; do
  ts="$TS_DIR/ocv_desktop_$lang.ts"
  # -locations absolute: file:line hints for translators; -no-obsolete: drop strings no code uses.
  "$BIN/pyside6-lupdate" -silent -locations absolute -no-obsolete -target-language "$lang" "${sources[@]}" -ts "$ts"
  "$BIN/pyside6-lrelease" -silent "$ts" -qm "$QM_DIR/ocv_desktop_$lang.qm"
  unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
  echo "$ts: $(grep -c '<message' "$ts") strings, $unfinished not translated yet"
done
