"""`python -m genxsop_core`: operate GenXSOP from a terminal.

Every command has --help; any error prints one line on stderr and exits non-zero. The CLI
acts as the operator (`cli:<login>`, admin rights) and its writes are audited like any other.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from genxsop_core.admin import go_live, logs, users
from genxsop_core.api.commands import add_commands as add_api_commands
from genxsop_core.bootstrap import seed_demo
from genxsop_core.config import load_settings
from genxsop_core.demo.files import DEMO_FILES_END, write_demo_files
from genxsop_core.domain.exceptions import GenXSOPError, InvalidInput, ValidationFailed
from genxsop_core.domain.periods import bucket_start
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.domain.states import RunStatus
from genxsop_core.forecasting import late_history
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import FORMATS
from genxsop_core.persistence import backup
from genxsop_core.persistence.migrate import is_current, upgrade_database
from genxsop_core.persistence.unit_of_work import UnitOfWork


def _operator() -> Actor:
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "unknown"
    return Actor(f"cli:{login}", ("admin",))


def _cmd_backup(args: argparse.Namespace) -> str:
    return "backup written: " + backup.backup_database(load_settings().database_url, args.file).describe()


def _cmd_restore(args: argparse.Namespace) -> str:
    if not args.yes:
        raise InvalidInput("restore replaces the whole database with the backup: stop the app and the "
                           "forecast workers, then run it again with --yes")
    summary = backup.restore_database(load_settings().database_url, args.file, _operator().username)
    return "database restored from " + summary.describe()


def _cmd_go_live(args: argparse.Namespace) -> str:
    if not args.yes:
        raise InvalidInput("go-live deletes the demo accounts" + (" and the demo company's data" if
                           args.remove_demo_data else "") + " after a backup: run it again with --yes")
    upgrade_database()
    report = go_live.go_live(UnitOfWork, _operator(), load_settings(), remove_demo_data=args.remove_demo_data,
                             backup_file=Path(args.backup) if args.backup else None)
    return report.describe()


def _cmd_init_db(args: argparse.Namespace) -> str:
    upgrade_database()
    return f"database ready at {load_settings().database_url}"


def _cmd_seed_demo(args: argparse.Namespace) -> str:
    upgrade_database()
    operator = _operator()
    seed = seed_demo(UnitOfWork(), operator, load_settings().bucket)
    lines = [r.summary() for r in seed.imports]
    lines.append(f"demo users {', '.join(seed.users)} (password: see README)")
    if not args.without_plans:
        from genxsop_core.demo.plans import seed_demo_plans

        versions = seed_demo_plans(UnitOfWork, operator, load_settings().bucket, workers=None)
        lines.append(f"planning history: demand plan versions {', '.join(map(str, versions))} "
                     "(past cycles approved, the current one a draft)")
    return "\n".join(lines)


def _cmd_import(args: argparse.Namespace) -> str:
    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    result = importer.import_file(UnitOfWork(), _operator(), args.kind, path.name, path.read_bytes())
    return result.summary()


def _file_type(path: Path, explicit: str | None) -> str:
    file_type = explicit or path.suffix.lstrip(".").lower()
    if file_type not in ("csv", "xlsx"):
        raise InvalidInput(f"{path}: say --format csv or xlsx (or name the file .csv/.xlsx)")
    return file_type


def _cmd_export(args: argparse.Namespace) -> str:
    path = Path(args.file)
    frame = exporter.export_frame(UnitOfWork(), args.kind)
    path.write_bytes(exporter.encode(frame, _file_type(path, args.format), FORMATS[args.kind].title))
    return f"{len(frame)} rows of {args.kind} written to {path}"


def _cmd_export_demo(args: argparse.Namespace) -> str:
    folder, bucket = Path(args.folder), args.bucket or load_settings().bucket
    end = bucket_start(args.end, bucket)
    paths = write_demo_files(folder, bucket, end)
    return (f"demo company written to {folder} ({bucket}ly history up to {end:%Y-%m-%d}): "
            + ", ".join(p.name for p in paths))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (write YYYY-MM-DD)") from None


def _loaded_data() -> UnitOfWork | None:
    """The database a template starts from (SKUs and resources the planner knows), when it answers
    and is set up; None (the format's example codes) before init-db or when it does not answer."""
    try:
        return UnitOfWork() if is_current() else None
    except SQLAlchemyError:
        return None


def _cmd_template(args: argparse.Namespace) -> str:
    path = Path(args.file)
    uow = _loaded_data()
    example = exporter.loaded_example(uow, args.kind) if uow is not None else None
    path.write_bytes(exporter.template(args.kind, _file_type(path, args.format), uow))
    source = "a row of the loaded data" if example is not None else "the format's example values"
    return f"template for {args.kind} written to {path} (its example row is {source})"


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for a password: pass --password-stdin and pipe it in")
    first, second = getpass.getpass("Password: "), getpass.getpass("Repeat password: ")
    if first != second:
        raise InvalidInput("the two passwords differ")
    return first


def _cmd_users_add(args: argparse.Namespace) -> str:
    user = users.add_user(UnitOfWork(), _operator(), args.username, args.name, _read_password(args),
                          args.roles.split(","), email=args.email or "")
    return f"user {user.username} added with roles {', '.join(user.roles)}"


def _cmd_users_list(args: argparse.Namespace) -> str:
    rows = users.list_users(UnitOfWork())
    return "\n".join(f"{u.username:<20} {'active' if u.active else 'inactive':<9} {','.join(u.roles):<40} {u.name}"
                     for u in rows) or "no users"


def _cmd_users_set_roles(args: argparse.Namespace) -> str:
    user = users.set_roles(UnitOfWork(), _operator(), args.username, args.roles.split(","))
    return f"user {user.username} now has roles {', '.join(user.roles)}"


def _cmd_users_set_password(args: argparse.Namespace) -> str:
    users.set_password(UnitOfWork(), _operator(), args.username, _read_password(args))
    return f"password of {args.username} changed"


def _request(args: argparse.Namespace) -> forecast_runs.ForecastRequest:
    kind, _, values = args.scope.partition(":")
    return forecast_runs.ForecastRequest(kind, tuple(v.strip() for v in values.split(",") if v.strip()),
                                         getattr(args, "model", "auto"), args.horizon,
                                         getattr(args, "late_history", late_history.DEFAULT))


def _cmd_forecast(args: argparse.Namespace) -> str:
    run_id = forecast_runs.request_run(UnitOfWork(), _operator(), _request(args))
    if args.background:
        forecast_runs.launch_worker(run_id)
        return f"forecast run {run_id} started in the background"
    forecast_runs.execute_run(UnitOfWork, run_id, workers=args.workers)
    run = forecast_views.get_run(UnitOfWork(), run_id)
    if run.status != RunStatus.DONE:
        raise InvalidInput(f"forecast run {run_id} failed: {run.error}")
    board = forecast_views.leaderboard(UnitOfWork(), run_id)
    notice = forecast_views.late_history_notice(UnitOfWork(), run_id)
    return (f"forecast run {run_id} done: {run.progress_total} SKUs in {run.seconds:.1f} s\n"
            + (f"{notice}\n" if notice else "")
            + board.drop(columns="why_it_won").to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def _cmd_run_forecast(args: argparse.Namespace) -> str:
    forecast_runs.execute_run(UnitOfWork, args.run_id)
    run = forecast_views.get_run(UnitOfWork(), args.run_id)
    if run.status != RunStatus.DONE:
        raise InvalidInput(f"forecast run {args.run_id} failed: {run.error}")
    return f"forecast run {args.run_id} done"


def _cmd_backtest(args: argparse.Namespace) -> str:
    from genxsop_core import forecasting

    request = _request(args)
    with UnitOfWork() as uow:
        skus = uow.demand.skus_in_scope(request.scope_kind, request.scope_values)
        history = uow.demand.history(skus)
    if history.empty:
        raise InvalidInput("no demand history in that scope")
    models = [m.strip() for m in args.models.split(",")]
    table = forecasting.backtest(history[["unique_id", "ds", "y"]], args.horizon, models, windows=args.windows)
    if args.output:
        Path(args.output).write_bytes(exporter.encode(table, _file_type(Path(args.output), None), "Backtest"))
    summary = table.groupby("model")[["wape", "mase", "bias"]].median().sort_values("mase")
    return f"backtest of {table.unique_id.nunique()} series (median per model):\n" + summary.to_string(
        float_format=lambda v: f"{v:.3f}")


def _cmd_balance(args: argparse.Namespace) -> str:
    from genxsop_core.supply import balance_report, plan_balancing
    from genxsop_core.supply import plans as supply_plans
    from genxsop_core.supply.balance import BalanceOptions
    from genxsop_core.supply.balance_priority import parse_priority

    priorities = [parse_priority(text) for text in args.priority]
    name, demand_id, supply_id = balance_report.cycle_versions(UnitOfWork(), args.cycle)
    penalty = BalanceOptions.safety_stock_penalty if args.safety_stock_penalty is None else args.safety_stock_penalty
    options = BalanceOptions(unmet=args.unmet, integer_lots=args.integer_lots, time_limit=args.time_limit,
                             safety_stock_penalty=penalty)
    data, balanced = plan_balancing.balance_version(UnitOfWork, demand_id, supply_id, options, priorities)
    text = (f"{name}: demand version {demand_id}, supply version {supply_id}, {len(data.skus)} SKUs x "
            f"{len(data.periods)} periods\n" + balance_report.summary_text(data, balanced.result))
    if not args.write:
        return text + f"\n{len(balanced.edits)} receipts would change: --write puts them into version {supply_id}"
    written = supply_plans.accept_balanced_receipts(UnitOfWork(), _operator(), supply_id, balanced.edits)
    return text + f"\n{written} receipts written into supply version {supply_id} (audited: accept_balanced_receipts)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m genxsop_core", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    kinds = sorted(FORMATS)

    p = commands.add_parser("init-db", help="create or migrate the database schema")
    p.set_defaults(run=_cmd_init_db)
    p = commands.add_parser("backup", help="write a consistent copy of the database (SQLite file or pg_dump archive)")
    p.add_argument("file")
    p.set_defaults(run=_cmd_backup)
    p = commands.add_parser("restore", help="replace the database with a backup (all or nothing)")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="confirm: everything now in the database is replaced")
    p.set_defaults(run=_cmd_restore)
    p = commands.add_parser("go-live", help="remove the demo accounts (and the demo's data) after a backup")
    p.add_argument("--remove-demo-data", action="store_true",
                   help="also delete every row the demo created (refused if real data sits on top of it)")
    p.add_argument("--backup", metavar="FILE", help="where the backup goes (default: a dated file next to the "
                   "SQLite database, or in this folder for PostgreSQL)")
    p.add_argument("--yes", action="store_true", help="confirm: the demo accounts are deleted")
    p.set_defaults(run=_cmd_go_live)
    p = commands.add_parser("seed-demo", help="load the demo company into an empty database")
    p.add_argument("--without-plans", action="store_true",
                   help="only the master and history data: no past plans, no forecast run, no draft plan")
    p.set_defaults(run=_cmd_seed_demo)
    p = commands.add_parser("import", help="import a CSV or XLSX file (all rows or none)")
    p.add_argument("kind", choices=kinds)
    p.add_argument("file")
    p.set_defaults(run=_cmd_import)
    for name, run, text in (("export", _cmd_export, "export a table to CSV or XLSX"),
                            ("template", _cmd_template, "write an empty import template")):
        p = commands.add_parser(name, help=text)
        p.add_argument("kind", choices=kinds)
        p.add_argument("file")
        p.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file name")
        p.set_defaults(run=run)

    p = commands.add_parser("export-demo", help="write the demo company as importable CSV files (data/)")
    p.add_argument("folder")
    p.add_argument("--end", type=_day, default=DEMO_FILES_END,
                   help=f"last week or month of history (default {DEMO_FILES_END}, that of the files in data/)")
    p.add_argument("--bucket", choices=("week", "month"), help="default: GENXSOP_BUCKET (week)")
    p.set_defaults(run=_cmd_export_demo)

    scope_help = "all, category:NAME[,NAME], family:NAME[,NAME] or skus:SKU[,SKU]"
    p = commands.add_parser("forecast", help="run a forecast over a scope and store it")
    p.add_argument("--scope", default="all", help=scope_help)
    p.add_argument("--model", default="auto", help="auto or one model name")
    p.add_argument("--horizon", type=int, default=26, help="buckets ahead (1-104)")
    p.add_argument("--workers", type=int, help="local processes (default: CPU count)")
    p.add_argument("--background", action="store_true", help="start a detached worker and return")
    p.add_argument("--late-history", choices=list(late_history.CHOICES), default=late_history.DEFAULT,
                   help="a SKU whose history stops before the latest week or month: own_end forecasts it from its "
                        "own last data (default), zeros treats it as discontinued; the run names such SKUs")
    p.set_defaults(run=_cmd_forecast)
    p = commands.add_parser("run-forecast", help="execute a queued forecast run (the background worker)")
    p.add_argument("run_id", type=int)
    p.set_defaults(run=_cmd_run_forecast)
    p = commands.add_parser("backtest", help="rolling-origin backtest of models over a scope")
    p.add_argument("--scope", default="all", help=scope_help)
    p.add_argument("--models", default="naive,seasonal_naive,ets,theta", help="comma-separated model names")
    p.add_argument("--horizon", type=int, default=13)
    p.add_argument("--windows", type=int, default=3)
    p.add_argument("--output", help="write per-series scores to this .csv/.xlsx")
    p.set_defaults(run=_cmd_backtest)

    p = commands.add_parser("balance", help="balance supply with demand: the best capacity-feasible receipts plan")
    p.add_argument("--cycle", metavar="YYYY-MM", help="the cycle's month (default: the newest cycle)")
    p.add_argument("--unmet", choices=("lost", "backorder"), default="lost", help="unmet demand is lost (default) "
                   "or back-ordered")
    p.add_argument("--integer-lots", action="store_true", help="receipts in whole MOQ lots (slower; gap reported)")
    p.add_argument("--time-limit", type=float, default=30.0, help="seconds for the integer-lot option (default 30)")
    p.add_argument("--safety-stock-penalty", type=float, metavar="X",
                   help="a unit below safety stock costs X times its holding cost per period (default: as on the "
                        "Supply review page; 0 ignores safety stock)")
    p.add_argument("--priority", action="append", default=[], metavar="SKU=W",
                   help="weight W of the SKU's unmet demand (a unit not served costs margin + W x margin; default 1); "
                        "family:NAME=W or category:NAME=W sets a whole group, a SKU's own winning; repeatable")
    p.add_argument("--write", action="store_true", help="write the balanced receipts into the cycle's draft supply "
                   "version (audited, like accepting them on the Supply review page)")
    p.set_defaults(run=_cmd_balance)

    p = commands.add_parser("users", help="manage users and roles")
    user_commands = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    roles_help = f"comma-separated roles from: {', '.join(ROLES)}"
    p = user_commands.add_parser("add", help="add a user (asks for the password)")
    p.add_argument("username")
    p.add_argument("--name", required=True)
    p.add_argument("--roles", required=True, help=roles_help)
    p.add_argument("--email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(run=_cmd_users_add)
    p = user_commands.add_parser("list", help="list users and their roles")
    p.set_defaults(run=_cmd_users_list)
    p = user_commands.add_parser("set-roles", help="replace a user's roles")
    p.add_argument("username")
    p.add_argument("--roles", required=True, help=roles_help)
    p.set_defaults(run=_cmd_users_set_roles)
    p = user_commands.add_parser("set-password", help="set a user's password")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(run=_cmd_users_set_password)
    add_api_commands(commands, _operator, _day)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure_logging()
    ids = logs.inherited_ids()  # a worker the app started logs as the planner who asked
    try:
        with logs.context(**{"user": _operator().username, **ids, "command": args.command}):
            print(args.run(args))
        return 0
    except ValidationFailed as error:
        print(f"error: {error.issues[0]}" + (f" (and {len(error.issues) - 1} more problems)"
                                             if len(error.issues) > 1 else ""), file=sys.stderr)
    except GenXSOPError as error:
        print(f"error: {error}", file=sys.stderr)
    except SQLAlchemyError as error:
        print(f"error: database: {str(error).splitlines()[0]}", file=sys.stderr)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
    return 1
