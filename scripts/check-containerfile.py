#!/usr/bin/env python3
"""Validates a Containerfile (Dockerfile) without a container engine: BuildKit's own parser (the
PyPI package `dockerfile`, which wraps moby/buildkit's Go parser) reads it, then the rules a build
would enforce are checked: known instructions, their flags, FROM first, stage references only to
earlier stages, build-context sources that exist, and exec-form ENTRYPOINT/CMD (a shell as PID 1
would swallow SIGTERM, and Atende's graceful handover with it).

Usage: check-containerfile.py FILE [CONTEXT]   (CONTEXT defaults to the current directory)
Exits 1 and says why on the first file with problems."""

import glob
import os
import sys

import dockerfile

INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}
FLAGS = {
    "FROM": {"platform"},
    "COPY": {"from", "chown", "chmod", "link", "parents", "exclude"},
    "ADD": {"chown", "chmod", "checksum", "keep-git-dir", "link", "exclude"},
    "RUN": {"mount", "network", "security"},
    "HEALTHCHECK": {"interval", "timeout", "start-period", "start-interval", "retries"},
}
SIGNALS = {"SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2"}


def problems(path, context):
    try:
        commands = dockerfile.parse_file(path)
    except dockerfile.GoParseError as error:
        return [f"does not parse: {error}"]
    found = []
    stages = []  # names (lower case) or None, in order
    seen_from = False
    exec_form = {}
    ignored = read_dockerignore(context)
    for command in commands:
        where = f"line {command.start_line}: {command.original}"
        name = command.cmd.upper()
        if name not in INSTRUCTIONS:
            found.append(f"{where}: unknown instruction {command.cmd}")
            continue
        if not seen_from and name not in ("ARG", "FROM"):
            found.append(f"{where}: only ARG may come before the first FROM")
        flags = {}
        for flag in command.flags:
            key, _, value = flag.lstrip("-").partition("=")
            if key not in FLAGS.get(name, set()):
                found.append(f"{where}: {name} has no flag --{key}")
            flags[key] = value
        if name == "FROM":
            seen_from = True
            value = list(command.value)
            if len(value) == 3 and value[1].upper() == "AS":
                stage = value[2].lower()
                if stage in stages:
                    found.append(f"{where}: stage {stage} is defined twice")
                stages.append(stage)
            elif len(value) == 1:
                stages.append(None)
            else:
                found.append(f"{where}: FROM takes an image and optionally AS name")
        if name == "COPY" and "from" in flags:
            source = flags["from"].lower()
            known = source in stages or (source.isdigit() and int(source) < len(stages) - 1)
            # Anything else must be an image reference (it has a registry path or a tag).
            if not known and not any(mark in source for mark in "/:"):
                found.append(f"{where}: --from={source} is no earlier stage")
            if source == (stages[-1] if stages else None):
                found.append(f"{where}: a stage cannot copy from itself")
        if name in ("COPY", "ADD") and "from" not in flags:
            sources = list(command.value)[:-1]
            if not sources:
                found.append(f"{where}: {name} needs a source and a destination")
            for source in sources:
                if source.startswith(("http://", "https://", "git@")):
                    continue
                matches = glob.glob(os.path.join(context, source))
                if not [m for m in matches if not is_ignored(os.path.relpath(m, context), ignored)]:
                    found.append(f"{where}: {source} is not in the build context {context}")
        if name in ("ENTRYPOINT", "CMD"):
            exec_form[name] = command.json
        if name == "STOPSIGNAL":
            signal = command.value[0].upper()
            if not (signal in SIGNALS or signal.isdigit()):
                found.append(f"{where}: unknown signal {signal}")
        if name in ("EXPOSE",):
            for port in command.value:
                number = port.split("/")[0]
                if not number.isdigit() or not 0 < int(number) < 65536:
                    found.append(f"{where}: {port} is not a port")
    if not seen_from:
        found.append("no FROM")
    if "ENTRYPOINT" in exec_form and not exec_form["ENTRYPOINT"]:
        found.append("ENTRYPOINT is in shell form: /bin/sh would be PID 1 and swallow SIGTERM")
    if "ENTRYPOINT" not in exec_form and exec_form.get("CMD") is False:
        found.append("CMD is in shell form: /bin/sh would be PID 1 and swallow SIGTERM")
    return found


def read_dockerignore(context):
    try:
        with open(os.path.join(context, ".dockerignore"), encoding="utf-8") as handle:
            lines = [line.strip() for line in handle]
    except FileNotFoundError:
        return []
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def is_ignored(relative, patterns):
    import fnmatch

    parts = relative.split(os.sep)
    for pattern in patterns:
        for depth in range(1, len(parts) + 1):
            if fnmatch.fnmatch("/".join(parts[:depth]), pattern):
                return True
    return False


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[1]
    context = sys.argv[2] if len(sys.argv) == 3 else "."
    found = problems(path, context)
    for problem in found:
        print(f"{path}: {problem}", file=sys.stderr)
    if not found:
        print(f"{path}: ok (BuildKit's parser and the build rules, context {context})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
