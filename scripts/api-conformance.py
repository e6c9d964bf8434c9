#!/usr/bin/env python3
"""The API against its OpenAPI document, from outside, as an integrator would.

Starts the server binary on a free loopback port with a fresh data dir, seeds a little data, then:
1. runs schemathesis over every operation (bounded examples each), as an administrator's API token
   and again as an agent, with the checks for server errors and for status-code, content-type
   and response-schema conformance: any failure fails the run;
2. generates a Python client from the document with openapi-python-client and makes real calls
   through it (create a contact, read it back, list tickets), asserting on the typed results.

Usage: api-conformance.py ATENDE_BIN OPENAPI_JSON   (run with the virtualenv's python)
Environment: API_CONFORMANCE_EXAMPLES (examples per operation, default 10),
             API_CONFORMANCE_SEED (schemathesis seed, default fixed so runs repeat).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ADMIN_EMAIL = "conformance@atende.local"
ADMIN_PASSWORD = "conformance-secret-1"
AGENT_EMAIL = "agent.conformance@atende.local"
AGENT_PASSWORD = "agent-secret-1"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

# Operations the fuzzer must not run, because they would destroy the credentials it runs with
# (every other credential-touching operation refuses it: PATCH /users/{self} cannot demote,
# DELETE /users/{self} is 409, PATCH /me needs the current password, logout of an API token ends
# no session). Each is still covered by the HTTP suite (backend/tests/api).
EXCLUDED_AS_ADMIN = [
    # DELETE /api/v1/api-tokens/{id}: would revoke the API token the run authenticates with.
    "revoke_token",
]
EXCLUDED_AS_AGENT = [
    # POST /api/v1/auth/logout: the agent runs with an access token, whose session this ends.
    "logout",
]


def log(message):
    print(f"==> {message}", flush=True)


def call(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, text


def expect(result, status, what):
    got, body = result
    if got != status:
        sys.exit(f"api-conformance: {what}: expected {status}, got {got}: {body}")
    return body


def start_server(binary, data_dir):
    env = dict(os.environ)
    env.update(
        {
            "ATENDE_DATA_DIR": data_dir,
            "ATENDE_BIND": "127.0.0.1:0",
            "ATENDE_STATIC_DIR": os.path.join(data_dir, "no-spa"),
            # The run's own sign-ins must not meet the limiter the fuzzer provokes on /auth/login.
            "ATENDE_LOGIN_LIMIT_PER_IP": "100000",
            "ATENDE_ACCESS_TOKEN_TTL_SECS": "7200",
            "ATENDE_LOG_FORMAT": "json",
            "RUST_LOG": "warn",
        }
    )
    for name in ("ATENDE_DATABASE_URL", "ATENDE_REDIS_URL"):
        env.pop(name, None)
    subprocess.run(
        [binary, "create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server_log = open(os.path.join(data_dir, "server.log"), "w")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.PIPE, stderr=server_log, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        if line.startswith("listening on "):
            return server, line.split("listening on ", 1)[1].strip()
    server.kill()
    sys.exit("api-conformance: the server did not start (see its log in " + data_dir + ")")


def admin_token(base):
    """An API token of the administrator: it survives logout and password changes."""
    access = expect(
        call(base, "POST", "/api/v1/auth/login", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        200,
        "admin login",
    )["access_token"]
    return expect(call(base, "POST", "/api/v1/api-tokens", access, {"name": "conformance"}), 201, "API token")["token"]


def seed(base, token, label):
    """A queue, a simulator connection, a ticket (with its contact and message) and a tag; their ids."""
    queue = expect(call(base, "POST", "/api/v1/queues", token, {"name": label, "color": "#1e88e5"}), 201, "queue")
    connection = expect(
        call(
            base,
            "POST",
            "/api/v1/connections",
            token,
            {"name": label, "kind": "simulator", "default_queue_id": queue["id"]},
        ),
        201,
        "connection",
    )
    inbound = {"from": "5511987654321", "name": "Cliente", "body": "Olá"}
    message = expect(
        call(base, "POST", f"/api/v1/connections/{connection['id']}/simulate", token, inbound), 201, "inbound"
    )
    tag = expect(call(base, "POST", "/api/v1/tags", token, {"name": label, "color": "#e53935"}), 201, "tag")
    ids = {queue["id"], connection["id"], tag["id"]}
    ids.update(v for k, v in message.items() if k.endswith("id") and isinstance(v, int))
    return queue["id"], sorted(ids)


def config_file(work, ids, label):
    """Path ids are half the time ones the run seeded, so operations reach their real code and real
    bodies instead of stopping at 404; the other half stays fuzzed."""
    path = os.path.join(work, f"schemathesis-{label}.toml")
    with open(path, "w") as out:
        out.write(f"[dictionaries.seeded]\nvalues = {json.dumps(ids)}\n\n[parameters]\n")
        for name in ("id", "tag_id", "connection_id"):
            out.write(f'"path.{name}" = {{ dictionary = "seeded", probability = 0.5 }}\n')
    return path


def schemathesis(venv_bin, spec, base, token, excluded, examples, seed_value, label, config):
    command = [
        os.path.join(venv_bin, "schemathesis"),
        "--config-file",
        config,
        "run",
        spec,
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed_value),
        # One worker: with two, hypothesis' lambda introspection sometimes races (a runtime error
        # of the tool, not of the API); the run is quick enough either way.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--request-timeout",
        "30",
    ]
    for operation_id in excluded:
        command += ["--exclude-operation-id", operation_id]
    log(f"schemathesis as {label}: {examples} examples per operation, seed {seed_value}")
    started = time.monotonic()
    # In the temp dir: schemathesis keeps a cache of what it found in its working directory.
    result = subprocess.run(command, cwd=os.path.dirname(config))
    log(f"schemathesis as {label}: {time.monotonic() - started:.0f} s, exit {result.returncode}")
    return result.returncode == 0


def generated_client(venv_bin, spec, base, token, work):
    """A client generated from the document makes real calls, typed end to end."""
    out = os.path.join(work, "atende_client")
    log("generating a Python client with openapi-python-client")
    generated = subprocess.run(
        [
            os.path.join(venv_bin, "openapi-python-client"),
            "generate",
            "--path",
            spec,
            "--output-path",
            out,
            "--meta",
            "none",
            "--overwrite",
        ],
        cwd=work,
        capture_output=True,
        text=True,
    )
    # It skips what it cannot read with a warning and still exits 0; a schema it had to drop
    # would make its models lie, so any such warning fails the run.
    report = generated.stdout + generated.stderr
    if generated.returncode != 0 or "Unable to process schema" in report or "Could not find reference" in report:
        print(report, file=sys.stderr)
        raise SystemExit("api-conformance: openapi-python-client could not read the document")
    sys.path.insert(0, work)
    import importlib

    def module(name):
        return importlib.import_module(f"atende_client.{name}")

    models = module("models")
    client = module("client").AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)
    get_me = module("api.profile.get_me")
    create_contact, get_contact = module("api.contacts.create_contact"), module("api.contacts.get_contact")
    list_tickets = module("api.tickets.list_tickets")

    me = get_me.sync(client=client)
    assert isinstance(me, models.Me) and me.email == ADMIN_EMAIL, me
    created = create_contact.sync(
        client=client, body=models.NewContact(name="Cliente Gerado", number="+55 11 91234-5678")
    )
    assert isinstance(created, models.Contact), created
    read_back = get_contact.sync(id=created.id, client=client)
    assert isinstance(read_back, models.Contact), read_back
    assert (read_back.id, read_back.name, read_back.number) == (created.id, "Cliente Gerado", "5511912345678"), (
        read_back
    )
    missing = get_contact.sync_detailed(id=2**40, client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.ErrorBody), missing
    assert str(missing.parsed.error.code) == "not_found", missing.parsed
    page = list_tickets.sync(client=client, status=models.TicketStatus.PENDING)
    assert page.items and page.next_cursor is None, page
    first = page.items[0]
    assert first.status == models.TicketStatus.PENDING and first.contact.number == "5511987654321", first
    log(f"generated client: contact {read_back.id} round-tripped, {len(page.items)} pending ticket(s) listed")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, spec = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    venv_bin = os.path.dirname(sys.executable)
    examples = int(os.environ.get("API_CONFORMANCE_EXAMPLES", "10"))
    seed_value = int(os.environ.get("API_CONFORMANCE_SEED", "20261128"))
    work = tempfile.mkdtemp(prefix="atende-conformance-")
    data_dir = os.path.join(work, "data")
    os.makedirs(data_dir)
    server, base = start_server(binary, data_dir)
    ok = False
    try:
        token = admin_token(base)
        _, ids = seed(base, token, "Suporte")
        generated_client(venv_bin, spec, base, token, work)
        config = config_file(work, ids, "admin")
        as_admin = schemathesis(venv_bin, spec, base, token, EXCLUDED_AS_ADMIN, examples, seed_value, "admin", config)
        # The fuzzer's credentials survived (otherwise most of the run would have been 401s).
        me = expect(call(base, "GET", "/api/v1/me", token), 200, "the admin API token after the run")
        assert me["role"] == "admin", me
        # The agent and its data come after the admin run, which may have changed or deleted the first ones.
        queue, ids = seed(base, token, "Agentes")
        agent = {"name": "Agente", "email": AGENT_EMAIL, "password": AGENT_PASSWORD, "role": "agent"}
        agent["queue_ids"] = [queue]
        expect(call(base, "POST", "/api/v1/users", token, agent), 201, "agent")
        agent_token = expect(
            call(base, "POST", "/api/v1/auth/login", body={"email": AGENT_EMAIL, "password": AGENT_PASSWORD}),
            200,
            "agent login",
        )["access_token"]
        config = config_file(work, ids, "agent")
        as_agent = schemathesis(
            venv_bin, spec, base, agent_token, EXCLUDED_AS_AGENT, max(2, examples // 2), seed_value, "agent", config
        )
        expect(call(base, "GET", "/api/v1/me", agent_token), 200, "the agent's token after the run")
        ok = as_admin and as_agent
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"api-conformance: kept {work} (server log: {data_dir}/server.log)", file=sys.stderr)
    if not ok:
        sys.exit("api-conformance: FAILED")
    log("api-conformance: passed")


if __name__ == "__main__":
    main()
