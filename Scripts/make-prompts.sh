#!/usr/bin/env bash
# Scripts/make-prompts.sh: synthesizes the voice prompts in Prompts/ from Prompts/prompts.tsv with
# espeak-ng (Debian `espeak-ng`), as 8 kHz 16-bit mono WAV files (what G.711 carries):
#   Prompts/<locale>/<name>.wav   for locale en, it, zh-TW (voices en-us, it, cmn)
#   Prompts/tones/beep.wav        the 1 kHz tone before a voicemail recording
# The generated files are committed; run this again after editing prompts.tsv. An organisation
# replaces any prompt with its own recording by putting a WAV with the same name in its prompt
# folder (see README, Prompts).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v espeak-ng >/dev/null || { echo "make-prompts.sh: espeak-ng not found (apt-get install -y espeak-ng)" >&2; exit 2; }
python3 - "$ROOT/Prompts" <<'PY'
import audioop, math, os, struct, subprocess, sys, tempfile, wave
folder = sys.argv[1]
voices = {"en": "en-us", "it": "it", "zh-TW": "cmn"}
locales = list(voices)
def write(path, pcm):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.writeframes(pcm)
count = 0
with open(os.path.join(folder, "prompts.tsv"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        name, *texts = line.rstrip("\n").split("\t")
        for locale, text in zip(locales, texts):
            if not text:
                continue
            with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
                subprocess.run(["espeak-ng", "-v", voices[locale], "-s", "150", "-w", tmp.name, text], check=True)
                with wave.open(tmp.name) as w:
                    assert w.getsampwidth() == 2 and w.getnchannels() == 1
                    pcm, _ = audioop.ratecv(w.readframes(w.getnframes()), 2, 1, w.getframerate(), 8000, None)
            write(os.path.join(folder, locale, name + ".wav"), pcm)
            count += 1
beep = b"".join(struct.pack("<h", int(0.3 * 32767 * math.sin(2 * math.pi * 1000 * i / 8000))) for i in range(4000))
write(os.path.join(folder, "tones", "beep.wav"), beep)
print(f"{count} prompts and 1 tone written under {folder}")
PY
