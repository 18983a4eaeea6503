#!/usr/bin/env python3
"""Whole-CLI fuzzing: mutated manifests through the built `chainbot validate` and `diff --root SCRATCH`.

Usage: cli_fuzz.py SECONDS SEED ITERATIONS CHAINBOT  (see contrib/fuzz/README.md; run by cli-fuzz.sh)

Each iteration writes one mutated manifest (beside a FIFO, a link to /dev/zero, a sparse 100 MiB file and
a link leading out of the directory, for `source:` and `secretRef` to name), builds a fresh SCRATCH image
whose links point outside it (absolute and relative), and runs both commands with a timeout. A finding is
an exit code outside {0, 1, 2, 64, 65}, a signal, a Swift runtime failure on stderr, a timeout, a change
to the canary directory beside SCRATCH, anything created outside SCRATCH, or a change inside SCRATCH
(diff only reads). Findings are saved under fuzz-out/cli/findings/; the exit status is 1 when any.
"""

import hashlib
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import time

ALLOWED_EXITS = {0, 1, 2, 64, 65}
TIMEOUT = 20.0
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "fuzz-out", "cli")

HOSTILE_NUMBERS = [
    "1e19", "-1e19", "99999999999999999999", "-1", "0", ".inf", "-.inf", ".nan", "1e308", "0x7fffffffffffffff",
    "18446744073709551616", "65536", "4294967296", "2147483648", "-9223372036854775809", "1.5", "0o777777",
]
HOSTILE_DURATIONS = ["1000000000d", "999999999d999999999d", "366d", "0s", "1ms", "9223372036854775807ms", "1h1h1h"]
HOSTILE_PATHS = [
    "/srv/app/config.yaml", "/srv/../../outside", "/etc/systemd/system/evil.service", "/etc/systemd/system/../x",
    "/srv/./x", "/dev/zero", "/proc/self/mem", "/sys/x", "//srv//x", "/srv/" + "a" * 300, "/srv/\u00e9",
    "/etc/passwd", "/boot/firmware/config.txt", "/usr/lib/systemd/system/ssh.service", "/",
]
LOCAL_NAMES = ["fifo", "zero", "sparse", "escape", "ok.txt", "missing", "../outside/secret", "/dev/zero"]


def tokens_from_dict(path):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                match = re.match(r'^\s*(?:\w+=)?"(.*)"\s*$', line)
                if match:
                    out.append(match.group(1).encode().decode("unicode_escape", errors="replace"))
    except OSError:
        pass
    return out or ["kind: ", "spec:", "---\n"]


def seeds():
    """The seed texts; the valid example manifests come first (`main` picks them half the time)."""
    paths = []
    for base in ["manifests", "contrib/fuzz/regressions", "fixtures/manifests"]:
        for directory, _, names in sorted(os.walk(os.path.join(ROOT, base))):
            paths += [os.path.join(directory, n) for n in sorted(names) if n.endswith((".yaml", ".yml"))]
    texts = []
    for path in paths:
        if not os.path.isfile(path):  # a fixture's dangling link, a FIFO
            continue
        with open(path, "rb") as handle:
            texts.append(handle.read().decode("utf-8", errors="replace"))
    return texts


def mutate(rng, text, corpus, tokens):
    lines = text.split("\n")
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        choice = rng.randrange(11)
        if not lines:
            lines = [""]
        index = rng.randrange(len(lines))
        if choice == 0:
            lines[index] = re.sub(r"-?\d+(\.\d+)?", lambda _: rng.choice(HOSTILE_NUMBERS), lines[index], count=1)
        elif choice == 1:
            lines[index] = re.sub(r"\b\d+(ms|s|m|h|d)\b", lambda _: rng.choice(HOSTILE_DURATIONS), lines[index])
        elif choice == 2:
            lines[index] = re.sub(r"(path|file|source): *\S+", lambda m: m.group(1) + ": " + rng.choice(
                HOSTILE_PATHS + LOCAL_NAMES), lines[index])
        elif choice == 3:
            lines.insert(index, rng.choice(tokens) + rng.choice(["", " ", "x", rng.choice(HOSTILE_NUMBERS)]))
        elif choice == 4:
            del lines[index]
        elif choice == 5:
            lines.insert(index, lines[index])
        elif choice == 6:
            other = rng.choice(corpus).split("\n")
            start = rng.randrange(len(other))
            lines[index:index] = other[start:start + rng.randint(1, 12)]
        elif choice == 7:
            line = lines[index]
            if line:
                position = rng.randrange(len(line))
                lines[index] = line[:position] + chr(rng.choice([0, 9, 13, 0x85, 0x2028, 0xFEFF, 0x7F, 0x22, 0x27,
                                                                    0x5C, 0x3A, 0x2D])) + line[position + 1:]
        elif choice == 8:
            lines.append(rng.choice([
                "---\napiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: f%d}\nspec: {path: %s, source: %s}"
                % (rng.randrange(99), rng.choice(HOSTILE_PATHS), rng.choice(LOCAL_NAMES)),
                "---\napiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: s%d}\nspec: {path: %s, env: {A: "
                "{secretRef: {file: %s, key: K}}}}" % (rng.randrange(99), rng.choice(HOSTILE_PATHS),
                                                      rng.choice(["@fifo", "@zero", "@sparse", "@escape", "/dev/zero"])),
                "---\napiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: svc%d}\nspec: {execStart: /bin/true"
                ", restartSec: %s}" % (rng.randrange(99), rng.choice(HOSTILE_DURATIONS + HOSTILE_NUMBERS)),
            ]))
        elif choice == 9:
            lines[index] = lines[index] * rng.randint(2, 50)
        else:
            lines[index] = lines[index].replace(":", rng.choice([": &a", ": *a", ": !!null", ": !!str", ":: ", ""]), 1)
    return "\n".join(lines)


def snapshot(top):
    """Every entry under `top` (not following links): type, mode, size, content digest, link target."""
    entries = {}
    if not os.path.lexists(top):
        return entries
    for directory, dirs, files in os.walk(top, followlinks=False):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            entry = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_size)
            if stat.S_ISLNK(info.st_mode):
                entry += (os.readlink(path),)
            elif stat.S_ISREG(info.st_mode) and info.st_size < (1 << 20):
                with open(path, "rb") as handle:
                    entry += (hashlib.sha256(handle.read()).hexdigest(),)
            entries[os.path.relpath(path, top)] = entry
    return entries


def make_scratch(work):
    """A fresh image with links out of it, the canary it must not reach, and the manifest's neighbours."""
    scratch, outside, inputs = (os.path.join(work, n) for n in ("scratch", "outside", "in"))
    for path in (scratch, inputs):
        if os.path.lexists(path):
            shutil.rmtree(path)
    os.makedirs(os.path.join(scratch, "etc", "systemd"))
    os.makedirs(os.path.join(scratch, "boot", "firmware"))
    os.makedirs(os.path.join(scratch, "usr", "lib", "systemd"))
    if not os.path.exists(outside):
        os.makedirs(os.path.join(outside, "srv", "app"))
        os.makedirs(os.path.join(outside, "systemd"))
        with open(os.path.join(outside, "secret"), "w") as handle:
            handle.write("K=outside-secret\n")
        with open(os.path.join(outside, "srv", "app", "config.yaml"), "w") as handle:
            handle.write("canary: 1\n")
        with open(os.path.join(outside, "passwd"), "w") as handle:
            handle.write("root:x:0:0:root:/root:/bin/sh\n")
    # Absolute links (taken from SCRATCH under --root) and relative ones climbing out of it.
    os.symlink(os.path.join(outside, "srv"), os.path.join(scratch, "srv"))
    os.symlink("../../outside/systemd", os.path.join(scratch, "etc", "systemd", "system"))
    os.symlink("../../../../outside/systemd", os.path.join(scratch, "usr", "lib", "systemd", "system"))
    os.symlink(os.path.join(outside, "passwd"), os.path.join(scratch, "etc", "passwd"))
    os.symlink("/../../../outside/secret", os.path.join(scratch, "etc", "group"))
    os.symlink("/dev/zero", os.path.join(scratch, "boot", "firmware", "config.txt"))
    os.symlink("loop", os.path.join(scratch, "loop"))
    os.mkfifo(os.path.join(scratch, "etc", "hostname"))
    os.makedirs(inputs)
    os.mkfifo(os.path.join(inputs, "fifo"))
    os.symlink("/dev/zero", os.path.join(inputs, "zero"))
    with open(os.path.join(inputs, "sparse"), "wb") as handle:
        handle.truncate(100 << 20)
    os.symlink("../outside/secret", os.path.join(inputs, "escape"))
    with open(os.path.join(inputs, "ok.txt"), "w") as handle:
        handle.write("ok\n")
    return scratch, outside, inputs


def run(command, env, cwd):
    started = time.monotonic()
    try:
        result = subprocess.run(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=TIMEOUT)
    except subprocess.TimeoutExpired as expired:
        return None, expired.stdout or b"", expired.stderr or b"", time.monotonic() - started
    return result.returncode, result.stdout, result.stderr, time.monotonic() - started


def main():
    seconds, seed, iterations, chainbot = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = random.Random(seed)
    corpus = seeds()
    valid_count = len([n for n in os.listdir(os.path.join(ROOT, "manifests")) if n.endswith(".yaml")])
    tokens = tokens_from_dict(os.path.join(ROOT, "contrib", "fuzz", "manifest.dict"))
    work = os.path.join(OUT, "work")
    findings_dir = os.path.join(OUT, "findings")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.makedirs(findings_dir, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "LANG": "C.UTF-8",
           "TMPDIR": work, "SWIFT_BACKTRACE": "enable=no", "NO_COLOR": "1"}
    deadline = time.monotonic() + seconds
    findings, runs, slowest, count = [], 0, 0.0, 0
    exits = {}
    while count < iterations and time.monotonic() < deadline:
        count += 1
        valid = rng.random() < 0.5
        seed_text = "\n---\n".join(corpus[:valid_count]) if valid and rng.random() < 0.3 else (
            rng.choice(corpus[:valid_count]) if valid else rng.choice(corpus))
        text = mutate(rng, seed_text, corpus, tokens)
        scratch, outside, inputs = make_scratch(work)
        text = text.replace("@fifo", os.path.join(inputs, "fifo")).replace("@zero", os.path.join(inputs, "zero"))
        text = text.replace("@sparse", os.path.join(inputs, "sparse")).replace("@escape",
                                                                               os.path.join(inputs, "escape"))
        manifest = os.path.join(inputs, "manifest.yaml")
        with open(manifest, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        before_outside, before_scratch = snapshot(outside), snapshot(scratch)
        before_work = sorted(os.listdir(work))
        state = os.path.join(work, "state-%d.db" % count)
        for name, command in [
            ("validate", [chainbot, "validate", manifest]),
            ("diff", [chainbot, "diff", "-f", manifest, "--root", scratch, "--state", state]),
        ]:
            code, out, err, elapsed = run(command, env, work)
            runs += 1
            slowest = max(slowest, elapsed)
            exits[(name, code)] = exits.get((name, code), 0) + 1
            problems = []
            if code is None:
                problems.append("timeout after %.0f s" % TIMEOUT)
            elif code < 0 or code >= 128:
                problems.append("signal or trap (exit %d)" % code)
            elif code not in ALLOWED_EXITS:
                problems.append("exit %d" % code)
            if re.search(rb"Fatal error|Swift runtime failure|Segmentation fault|AddressSanitizer", err):
                problems.append("runtime failure on stderr")
            if snapshot(outside) != before_outside:
                problems.append("the canary directory outside SCRATCH changed")
            if snapshot(scratch) != before_scratch:
                problems.append("diff changed SCRATCH")
            created = sorted(set(os.listdir(work)) - set(before_work) - {os.path.basename(state)}
                             - {n for n in os.listdir(work) if n.startswith(os.path.basename(state))})
            if created:
                problems.append("created outside SCRATCH: %s" % ", ".join(created))
            if problems:
                digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:12]
                target = os.path.join(findings_dir, "%s-%s" % (name, digest))
                os.makedirs(target, exist_ok=True)
                shutil.copy(manifest, os.path.join(target, "manifest.yaml"))
                with open(os.path.join(target, "report.txt"), "wb") as handle:
                    handle.write(("seed %d iteration %d\n%s\n%s\n\n" % (seed, count, " ".join(command),
                                                                       "; ".join(problems))).encode())
                    handle.write(b"--- stdout\n" + out[-20000:] + b"\n--- stderr\n" + err[-20000:] + b"\n")
                findings.append((target, problems))
                print("finding: %s: %s" % (target, "; ".join(problems)), flush=True)
                break
        for name in os.listdir(work):
            if name.startswith("state-"):
                os.remove(os.path.join(work, name))
        if len(findings) >= 20:
            break
    summary = ", ".join("%s %s: %d" % (n, "timeout" if c is None else c, k) for (n, c), k in sorted(
        exits.items(), key=lambda item: (item[0][0], -1 if item[0][1] is None else item[0][1])))
    print("cli-fuzz: seed %d, %d inputs, %d runs, slowest %.2f s, %d findings (%s)" % (
        seed, count, runs, slowest, len(findings), summary))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
