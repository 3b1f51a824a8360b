"""The manifest's form (docs/bundle-manifest.schema.json), checked in full as soon as it is read
and before anything shows, stores or looks up what it says: every field the schema names, of its
type and form, and no other. Ids are the canonical text of a UUID, a key id 16 hex digits, site
codes as `dtlab.domain.ids` makes them. A refusal quotes bundle text only cut short and escaped."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dtlab.domain.ids import SITE_CODE_RE
from dtlab.i18n import N_, _
from dtlab.sync.rejected import Rejected, quoted

FORMAT = "dtlab-bundle"
FORMAT_VERSION = 1
CAPABILITIES = ("operations-v1",)
OPERATIONS = "operations.ndjson"  # the member the manifest describes

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SCHEMA_RE = re.compile(r"^[0-9]{4}$")
SEQ_MAX = 2**63
TEXT_MAX = 64  # app_version, created_at

REQUIRED = {"format", "format_version", "capabilities", "bundle_id", "origin", "key_id", "schema_version",
            "app_version", "created_at", "release", "full", "ranges", "vector", "members"}
# `to` is checked against this site by the importer; `sites` is optional.
KNOWN = REQUIRED | {"to", "sites"}


def _matches(pattern: re.Pattern[str], value: Any) -> bool:
    return type(value) is str and pattern.fullmatch(value) is not None  # `$` would let a newline end it


def _number(value: Any, low: int) -> bool:
    return type(value) is int and low <= value < SEQ_MAX


def _form(manifest: dict[str, Any], name: str, pattern: re.Pattern[str], what: str) -> None:
    """`what` the field must be (marked with N_, said in the reader's language)."""
    if not _matches(pattern, manifest.get(name)):
        raise Rejected(_("manifest: {field} {value} is not {what}").format(
            field=name, value=quoted(manifest.get(name)), what=_(what)))


def check_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Rejected(_("not a dtlab bundle manifest"))
    if manifest.get("format_version") != FORMAT_VERSION or type(manifest.get("format_version")) is not int:
        raise Rejected(_("bundle format version {version}; this dtlab reads {readable}").format(
            version=quoted(manifest.get("format_version")), readable=FORMAT_VERSION))
    missing, unknown = REQUIRED - manifest.keys(), manifest.keys() - KNOWN
    if missing:
        raise Rejected(_("manifest: {fields} missing").format(fields=", ".join(sorted(missing))))
    if unknown:
        raise Rejected(_("manifest: unknown field {field}").format(field=quoted(sorted(unknown)[0])))
    capabilities = manifest["capabilities"]
    if type(capabilities) is not list or not all(type(c) is str for c in capabilities):
        raise Rejected(_("manifest: {field} malformed (a list of names)").format(field="capabilities"))
    if set(capabilities) != set(CAPABILITIES):
        strange = sorted(set(capabilities) - set(CAPABILITIES)) or sorted(set(CAPABILITIES) - set(capabilities))
        raise Rejected(_("manifest: {field} {value} not understood").format(
            field="capabilities", value=quoted(strange)))
    _form(manifest, "bundle_id", UUID_RE, N_("a UUID"))
    _form(manifest, "key_id", KEY_ID_RE, N_("16 hex digits"))
    _form(manifest, "schema_version", SCHEMA_RE, N_("a schema revision (4 digits)"))
    for name in ("app_version", "created_at"):
        value = manifest[name]
        if type(value) is not str or not value.isprintable() or not 0 < len(value) <= TEXT_MAX:
            raise Rejected(_("manifest: {field} {value} malformed").format(field=name, value=quoted(value)))
    try:
        created = datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        created = None
    if created is None or created.tzinfo is None:
        raise Rejected(_("manifest: {field} {value} is not a time with its zone").format(
            field="created_at", value=quoted(manifest["created_at"])))
    origin = manifest["origin"]
    if not (isinstance(origin, dict) and origin.keys() == {"id", "code"} and _matches(UUID_RE, origin["id"])
            and _matches(SITE_CODE_RE, origin["code"])):
        raise Rejected(_("manifest: {field} {value} is not a site's id and code").format(
            field="origin", value=quoted(origin)))
    if type(manifest["full"]) is not bool:
        raise Rejected(_("manifest: {field} must be true or false").format(field="full"))
    if not _number(manifest["release"], 1):
        raise Rejected(_("manifest: {field} missing or out of range").format(field="release"))
    ranges, held = manifest["ranges"], manifest["vector"]
    if not isinstance(ranges, dict) or not all(
            _matches(UUID_RE, k) and type(v) is list and len(v) == 2 and all(_number(n, 1) for n in v)
            for k, v in ranges.items()):
        raise Rejected(_("manifest: {field} malformed (each origin site id: [first, last])").format(field="ranges"))
    if not isinstance(held, dict) or not all(_matches(UUID_RE, k) and _number(v, 0) for k, v in held.items()):
        raise Rejected(_("manifest: {field} malformed (each origin site id: a sequence number)").format(
            field="vector"))
    # `to` must name this site, which the importer checks; here only that it is a site code.
    if "to" in manifest and not _matches(SITE_CODE_RE, manifest["to"]):
        raise Rejected(_("manifest: {field} {value} is not a site code").format(
            field="to", value=quoted(manifest["to"])))
    sites = manifest.get("sites", {})
    if not isinstance(sites, dict) or not all(
            _matches(UUID_RE, k) and _matches(SITE_CODE_RE, v) for k, v in sites.items()):
        raise Rejected(_("manifest: {field} malformed (each site id: its code)").format(field="sites"))
    members = manifest["members"]
    member = members.get(OPERATIONS) if isinstance(members, dict) else None
    if not (isinstance(member, dict) and members.keys() == {OPERATIONS} and member.keys() == {"size", "rows", "sha256"}
            and _number(member["size"], 0) and _number(member["rows"], 0) and _matches(SHA256_RE, member["sha256"])):
        raise Rejected(_("manifest: {field} malformed").format(field="members"))
