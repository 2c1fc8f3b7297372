"""``ocv-desktop trust NODE [--yes] [--replace] [--json]``: confirm a node's SSH host key and API certificate.

Trust on first use, made explicit (DESIGN.md rule 4). The command reads what the node presents
(the SSH host key; for an ``https://`` API without a CA file, the server certificate), shows the
fingerprints and, once the user confirms (or ``--yes``), records them: the host key in the home's
``known_hosts``, the certificate's SHA-256 as the node's pin in ``config.yaml``.

A key or certificate that differs from the trusted one is refused with both fingerprints shown.
Only ``--replace`` (after a reinstall, say) accepts the new one, and it still asks unless ``--yes``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys

from ocv_desktop.cli._provider_cli import confirm, stdin_is_tty
from ocv_desktop.cli.context import Context, UsageError
from ocv_desktop.cli.output import print_json
from ocv_desktop.core.errors import CertificateChanged, CertificateUnknown, HostKeyChanged, HostKeyUnknown, OcvError
from ocv_desktop.services.trust import SSH_HOST_KEY, Outcome, TrustError, TrustService

ORDER = 15


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "trust",
        help="show a node's SSH host key and API certificate fingerprints and trust them",
        description="Read the SSH host key (and, for an https:// API without a CA file, the server "
        "certificate) that NODE presents, show the fingerprints, and record them once you confirm: "
        "the host key in known_hosts, the certificate as the node's pinned SHA-256. Compare the "
        "fingerprints with the ones the server itself shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub; "
        "the certificate in the Proxmox/LXD/Incus settings) before you confirm.",
    )
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("-y", "--yes", action="store_true", help="trust what the node presents without asking")
    p.add_argument(
        "--replace",
        action="store_true",
        help="accept a key or certificate that DIFFERS from the trusted one (e.g. after a reinstall)",
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON (needs --yes)")
    p.set_defaults(handler=trust)


async def trust(args: argparse.Namespace, ctx: Context) -> int:
    if args.json and not args.yes:
        raise UsageError("--json prints without asking: add --yes")
    node = ctx.config().find(args.node)
    service = TrustService(ctx.home, await ctx.node_service(), ctx.config().settings.connect_timeout)
    report = await service.trust_node(node, functools.partial(_ask, args))
    for outcome in report.outcomes:
        _say(args, _outcome_line(outcome, ctx))
    for what, exc in report.failures:  # the other parts were still offered (an api node with sshd down)
        print(f"error: {what.replace('_', ' ')}: {exc}", file=sys.stderr)
    if args.json:
        print_json(
            {"node": node.name, "trusted": report.outcomes, "failed": {what: str(exc) for what, exc in report.failures}}
        )
    return 1 if report.failures else 0


def _outcome_line(outcome: Outcome, ctx: Context) -> str:
    thing = "SSH host key" if outcome.what == SSH_HOST_KEY else "API certificate"
    if outcome.status == "already-trusted":
        state = "already trusted" if outcome.what == SSH_HOST_KEY else "already pinned"
        return f"{thing} of {outcome.address} is {state}: {outcome.key_type} {outcome.fingerprint}"
    where = ctx.home.known_hosts if outcome.what == SSH_HOST_KEY else ctx.home.config_file
    return f"{thing} of {outcome.address} {outcome.status}: recorded in {where}"


_QUESTIONS = {
    HostKeyUnknown: "Trust this host key?",
    HostKeyChanged: "Replace the trusted key with this one?",
    CertificateUnknown: "Pin this certificate?",
    CertificateChanged: "Pin this certificate instead?",
}
_REPLACE_HINTS = {
    HostKeyChanged: "if you know the server was reinstalled, check the new fingerprint on it and rerun with --replace",
    CertificateChanged: "if the server got a new certificate, check its fingerprint there and rerun with --replace",
}


async def _ask(args: argparse.Namespace, question: TrustError) -> bool:
    """The CLI's answer: a changed key or certificate is refused without --replace; else --yes, or
    a y/N question on the terminal (a "no" stops the command: nothing more is recorded)."""
    hint = _REPLACE_HINTS.get(type(question))
    if hint is not None and not args.replace:
        question.hint = hint
        raise question
    _say(args, question.message)
    await _confirm(_QUESTIONS[type(question)], args)
    return True


# --- talking to the user --------------------------------------------------------------------------


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(text)


async def _confirm(question: str, args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not stdin_is_tty():
        raise UsageError("no terminal to ask on: compare the fingerprint with the server's, then rerun with --yes")
    sys.stdout.flush()  # the fingerprints first, then the question (on stderr)
    if not await asyncio.to_thread(confirm, question):
        raise OcvError("not trusted: nothing was recorded")
