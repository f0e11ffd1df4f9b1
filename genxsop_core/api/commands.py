"""The CLI commands of the integration API (`python -m genxsop_core serve-api | api-keys ...`), added to
the CLI's parser by `cli.build_parser`; here so the API's commands sit with the API."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from functools import partial

from genxsop_core.admin import api_keys
from genxsop_core.config import load_settings
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.persistence.unit_of_work import UnitOfWork

DEFAULT_HOST = "127.0.0.1"  # the API listens where a reverse proxy reaches it (docs/deploy.md), not on every address
DEFAULT_PORT = 8502  # beside Streamlit's 8501


def serve_api(host: str, port: int, workers: int = 1) -> str:
    """Migrate (and in demo mode seed an empty database, as the app does), then answer until stopped.

    With `workers` above 1, uvicorn starts that many processes on the one port (each builds its app
    from the environment), so every core serves: one Python process uses one core at a time."""
    import os

    import uvicorn

    from genxsop_core.api.app import create_app
    from genxsop_core.bootstrap import prepare_database
    from genxsop_core.persistence.migrate import upgrade_database

    settings = load_settings()
    app = create_app(settings)  # refuses without GENXSOP_API_SECRET outside demo mode, before touching the database
    if settings.demo:
        prepare_database(settings)
    else:
        upgrade_database(settings.database_url)
    if app.state.secret_is_ephemeral:
        print("GENXSOP_API_SECRET is not set: allowed only because this is the demo database; tokens are signed "
              "with a random secret of this run and end with it", file=sys.stderr)
    print(f"GenXSOP API on http://{host}:{port}/api/v1 (docs: http://{host}:{port}/api/docs)"
          f"{f', {workers} processes' if workers > 1 else ''}", file=sys.stderr)
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, access_log=False)  # the API logs each request itself, as JSON
        return "API stopped"
    os.environ["GENXSOP_API_SECRET"] = app.state.secret  # one secret: a token from one process works in all
    uvicorn.run("genxsop_core.api.app:served_app", factory=True, host=host, port=port, workers=workers,
                access_log=False)
    return "API stopped"


def describe(key: api_keys.ApiKeyView) -> str:
    used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
    return (f"{key.name:<24} {key.prefix}...  {key.role:<15} {key.client_id or '-':<16} {key.status():<8} "
            f"last day {str(key.last_day or 'none'):<10}  last used {used}")


def _serve(args: argparse.Namespace, operator: Actor) -> str:
    return serve_api(args.host, args.port, args.workers)


def _create(args: argparse.Namespace, operator: Actor) -> str:
    created = api_keys.create_key(UnitOfWork(), operator, args.name, args.role, args.client_id, args.expires)
    return (f"API key {created.view.name} created for role {created.view.role}; copy it now, it is not shown "
            f"again:\n{created.key}")


def _list(args: argparse.Namespace, operator: Actor) -> str:
    return "\n".join(describe(k) for k in api_keys.list_keys(UnitOfWork(), operator)) or "no API keys"


def _revoke(args: argparse.Namespace, operator: Actor) -> str:
    return f"API key {api_keys.revoke_key(UnitOfWork(), operator, args.name).name} revoked"


def add_commands(commands: argparse._SubParsersAction, operator: Callable[[], Actor],
                 day: Callable[[str], date]) -> None:
    """`serve-api` and `api-keys create|list|revoke`; `operator` is who the CLI acts as (audited)."""
    p = commands.add_parser("serve-api", help="serve the integration API (uvicorn; docs at /api/docs)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--workers", type=_at_least_one, default=1,
                   help="server processes on the port (default 1; about one per core)")
    p.set_defaults(run=partial(_as_operator, _serve, operator))

    p = commands.add_parser("api-keys", help="the integration API's service keys (created by an admin)")
    actions = p.add_subparsers(dest="api_keys_command", required=True, metavar="ACTION")
    p = actions.add_parser("create", help="create a key; it is printed once, on the last line")
    p.add_argument("name", help="what the key is for, e.g. erp-nightly (audit records name it key:<name>)")
    p.add_argument("--role", required=True, choices=ROLES, help="the role the key acts with")
    p.add_argument("--client-id", help="the calling system's client id (optional)")
    p.add_argument("--expires", type=day, metavar="YYYY-MM-DD", help="last day the key works (default: never)")
    p.set_defaults(run=partial(_as_operator, _create, operator))
    p = actions.add_parser("list", help="list keys (never the keys themselves)")
    p.set_defaults(run=partial(_as_operator, _list, operator))
    p = actions.add_parser("revoke", help="refuse a key from now on")
    p.add_argument("name")
    p.set_defaults(run=partial(_as_operator, _revoke, operator))


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return int(text)


def _as_operator(command: Callable[[argparse.Namespace, Actor], str], operator: Callable[[], Actor],
                 args: argparse.Namespace) -> str:
    """A command's `run`: the function bound to the parser (commands are named, not called, in add_commands)."""
    return command(args, operator())
