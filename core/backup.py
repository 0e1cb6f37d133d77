"""备份与恢复: one archive holding every row of the database and every uploaded file.

`create_backup(path)` writes, and `restore_backup(path)` reads back into an EMPTY, freshly
migrated database, a gzip-compressed tar archive (PAX, UTF-8 names) with these members:

    data.jsonl      every row, one JSON object per line: Django's "jsonl" serialisation, natural
                    foreign keys, timestamps with their microseconds, models in dependency order;
                    many-to-many tables as rows of their own, so that they too keep their ids.
                    JSON Lines rather than one JSON array so that both writing and reading stream
                    row by row — neither side holds the database in memory.
    media/<path>    every regular file under MEDIA_ROOT, at its path relative to MEDIA_ROOT.
    manifest.json   written last: format and version, created_at, Django version, database
                    vendor, the applied migration heads of each app, the row count of each model,
                    the last id each table's sequence handed out (so ids of deleted rows are not
                    handed out again after a restore), and the size and sha256 of every other member.

What the archive leaves out, and why:

- contenttypes.ContentType and auth.Permission: `migrate` creates them in every database, with
  ids of its own. Rows pointing at them (evidence, state changes, admin log, group and user
  permissions) are written with natural keys — ["indicators", "indicatorvalue"] — and so resolve
  to whatever ids the target database gave them.
- sessions.Session: only logins; restoring them would bring old sessions back. Users sign in again.
- core.DataGeneration: the cache key of region summaries, not data; a restore raises it anew.

admin.LogEntry IS kept: it is the audit trail of the admin site (who changed what), and with its
content type and user written by natural key it restores without id conflicts. So are API tokens
and password hashes — the archive is as sensitive as the database itself.

django-simple-history's Historical* tables are ordinary models and are copied row for row with
their ids. Restoring creates no history of its own: rows are saved the way `loaddata` saves them
(`save_base(raw=True)`, which simple-history's post_save handler skips — checked in 3.13), and
many-to-many rows are inserted as rows, so no m2m_changed signal fires either (every restored
object also carries `skip_history_when_saving`, which both handlers honour).

This module takes no request objects; the `backup` and `restore` management commands wrap it.
"""
import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from core import generations

FORMAT = "eco-tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
MEDIA_DIR = "media"
EXCLUDED_MODELS = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session", "core.datageneration"})
CHUNK_SIZE = 2000
COPY_BUFSIZE = 1024 * 1024
_NATURAL_KEY_CACHE_LIMIT = 50_000


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator, in Chinese."""


@dataclass
class BackupResult:
    path: Path
    counts: dict
    media_files: int
    size: int
    skipped: list = field(default_factory=list)

    @property
    def rows(self):
        return sum(self.counts.values())


@dataclass
class RestoreResult:
    counts: dict
    media_files: int
    manifest: dict

    @property
    def rows(self):
        return sum(self.counts.values())


# ---------------------------------------------------------------- what is backed up

def backed_up_models(using=DEFAULT_DB_ALIAS):
    """Every concrete model whose table exists in the database, minus EXCLUDED_MODELS, ordered
    so that models with natural keys (users, groups) come before the rows that refer to them.

    Each auto-created many-to-many table follows the model that declares it, as a model of its
    own: its rows keep their ids (Django's usual list-of-ids on the owning row does not)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())

    def wanted(model):
        meta = model._meta
        return (not meta.proxy and meta.managed and meta.label_lower not in EXCLUDED_MODELS
                and meta.can_migrate(connection) and router.allow_migrate_model(using, model)
                and meta.db_table in tables)

    app_list = []
    for app_config in apps.get_app_configs():
        chosen = [model for model in app_config.get_models() if wanted(model)]
        if chosen:
            app_list.append((app_config, chosen))
    ordered = []
    for model in serializers.sort_dependencies(app_list, allow_cycles=True):
        ordered.append(model)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created and wanted(through) and through not in ordered:
                ordered.append(through)
    return ordered


def migration_heads(using=DEFAULT_DB_ALIAS):
    """app label → its applied migrations that no later applied migration of that app follows."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = set(loader.applied_migrations or ())
    heads = {}
    for key in applied:
        node = loader.graph.node_map.get(key)
        if node is None:
            continue
        if any(child.key in applied and child.key[0] == key[0] for child in node.children):
            continue
        heads.setdefault(key[0], []).append(key[1])
    return {app: sorted(names) for app, names in sorted(heads.items())}


# ---------------------------------------------------------------- serialisation

class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps the microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        if isinstance(o, datetime.time) and not timezone.is_aware(o):
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """JSON Lines with natural foreign keys, looked up once per related row rather than once per
    referring row. A history row can still hold the id of a user deleted since (simple-history's
    foreign keys have no database constraint): such a reference is kept as the plain id."""

    def __init__(self):
        super().__init__()
        self._natural_keys = {}

    def handle_fk_field(self, obj, field):
        model = field.remote_field.model
        if not (self.use_natural_foreign_keys and hasattr(model, "natural_key")):
            return super().handle_fk_field(obj, field)
        raw = getattr(obj, field.attname)
        if raw is None:
            self._current[field.name] = None
            return
        key = (model, raw)
        if key not in self._natural_keys:
            if len(self._natural_keys) >= _NATURAL_KEY_CACHE_LIMIT:
                self._natural_keys.clear()
            related = model._base_manager.using(obj._state.db).filter(**{field.target_field.attname: raw}).first()
            self._natural_keys[key] = list(related.natural_key()) if related is not None else None
        natural = self._natural_keys[key]
        self._current[field.name] = natural if natural is not None else self._value_from_field(obj, field)

    def handle_m2m_field(self, obj, field):
        if not field.remote_field.through._meta.auto_created:
            super().handle_m2m_field(obj, field)
        # else: the many-to-many table is written as rows of its own (see backed_up_models)


def _rows(models, using, counts):
    for model in models:
        queryset = model._base_manager.using(using).order_by("pk")
        count = 0
        for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
            count += 1
            yield obj
        counts[model._meta.label_lower] = count


@contextmanager
def _snapshot(using):
    """One transaction for the whole dump, so every table is read as of the same moment."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


# ---------------------------------------------------------------- archive helpers

class _HashingReader:
    def __init__(self, raw):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def read(self, n=-1):
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data

    def digest(self):
        return {"size": self.size, "sha256": self.sha256.hexdigest()}


def _add_stream(tar, name, fileobj, size, mtime):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o644
    reader = _HashingReader(fileobj)
    tar.addfile(info, reader)
    if reader.size != size:
        raise BackupError(f"写入「{name}」时文件大小发生变化，请重试备份。")
    return reader.digest()


def _media_files(root, skip):
    """(path, relative posix name) of every regular file under root; symlinks are reported, not followed."""
    skipped = []
    found = []
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for dirname in list(dirnames):
                if Path(dirpath, dirname).is_symlink():
                    skipped.append(Path(dirpath, dirname))
                    dirnames.remove(dirname)
            for filename in sorted(filenames):
                path = Path(dirpath, filename)
                if path.is_symlink() or not path.is_file():
                    skipped.append(path)
                    continue
                if path.resolve() in skip:
                    continue
                found.append((path, path.relative_to(root).as_posix()))
    return found, skipped


# ---------------------------------------------------------------- backup

def create_backup(path, *, using=DEFAULT_DB_ALIAS, media_root=None):
    """Write the whole database and MEDIA_ROOT to a new archive at `path`."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"文件已存在：{path}。为避免覆盖已有备份，请换一个文件名。")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在：{path.parent}")
    media_root = Path(media_root or settings.MEDIA_ROOT)
    connection = connections[using]
    models = backed_up_models(using)
    counts, members = {}, {}

    fd, partial_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    partial = Path(partial_name)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6,
                                                       format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
            with tempfile.TemporaryFile() as data:
                text = io.TextIOWrapper(data, encoding="utf-8", newline="\n")
                with _snapshot(using):
                    heads = migration_heads(using)
                    sequences = _sequence_positions(models, using)
                    _Serializer().serialize(_rows(models, using, counts), stream=text, cls=_Encoder,
                                            use_natural_foreign_keys=True, use_natural_primary_keys=False)
                text.flush()
                size = data.tell()
                data.seek(0)
                members[DATA] = _add_stream(tar, DATA, data, size, timezone.now().timestamp())
                text.detach()

            files, skipped = _media_files(media_root, {partial.resolve(), path.resolve()})
            for file_path, relative in files:
                name = f"{MEDIA_DIR}/{relative}"
                with open(file_path, "rb") as fh:
                    stat = os.fstat(fh.fileno())
                    members[name] = _add_stream(tar, name, fh, stat.st_size, stat.st_mtime)

            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "django_version": django.get_version(),
                "database_vendor": connection.vendor,
                "migrations": heads,
                "counts": counts,
                "sequences": sequences,
                "excluded_models": sorted(EXCLUDED_MODELS),
                "members": members,
            }
            payload = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(payload), int(timezone.now().timestamp()), 0o644
            tar.addfile(info, io.BytesIO(payload))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path=path, counts=counts, media_files=len(files), size=path.stat().st_size,
                        skipped=[str(p) for p in skipped])


# ---------------------------------------------------------------- restore

def _checked_name(raw):
    """A member name that stays inside the restore: relative, no '..', no odd separators."""
    name = raw[:-1] if raw.endswith("/") else raw
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name or ":" in parts[0]
            or any(part in ("", ".", "..") for part in parts)):
        raise BackupError(f"备份文件包含不安全的路径「{raw}」（绝对路径或含 ..），已拒绝恢复，未做任何改动。")
    return name


def _extract_verified(path, staging):
    """Unpack the archive into `staging`, hashing as it goes; return the manifest once every
    member matches it. Nothing outside `staging` is written."""
    seen = {}
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{path} 不是有效的备份文件（应为 manage.py backup 生成的 .tar.gz）：{exc}") from exc
    with tar:
        try:
            for member in tar:
                name = _checked_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"备份文件中的「{member.name}」不是普通文件（链接或设备文件），已拒绝恢复，未做任何改动。")
                if name not in (MANIFEST, DATA) and not name.startswith(f"{MEDIA_DIR}/"):
                    raise BackupError(f"备份文件包含未知内容「{member.name}」，不是 manage.py backup 生成的备份，已拒绝恢复。")
                if name in seen:
                    raise BackupError(f"备份文件中「{name}」出现了两次，已拒绝恢复。")
                target = staging.joinpath(*name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with tar.extractfile(member) as source, open(target, "xb") as out:
                    while chunk := source.read(COPY_BUFSIZE):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                os.utime(target, (member.mtime, member.mtime))
                seen[name] = {"size": size, "sha256": digest.hexdigest()}
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"备份文件已损坏或不完整：{exc}") from exc

    if MANIFEST not in seen:
        raise BackupError("备份文件缺少 manifest.json，不是 manage.py backup 生成的备份。")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"manifest.json 无法读取：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest.json 不是本系统的备份清单。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"不支持的备份格式版本 {manifest.get('format_version')}（本程序支持版本 {FORMAT_VERSION}）。")
    expected = manifest.get("members")
    if not isinstance(expected, dict) or DATA not in expected:
        raise BackupError("manifest.json 缺少成员清单，已拒绝恢复。")
    del seen[MANIFEST]
    problems = []
    for name in sorted(set(expected) - set(seen)):
        problems.append(f"缺少 {name}")
    for name in sorted(set(seen) - set(expected)):
        problems.append(f"清单中没有 {name}")
    for name in sorted(set(expected) & set(seen)):
        want = expected[name] if isinstance(expected[name], dict) else {}
        if want.get("sha256") != seen[name]["sha256"] or want.get("size") != seen[name]["size"]:
            problems.append(f"{name} 的校验和不符")
    if problems:
        shown = "；".join(problems[:10]) + (f" 等 {len(problems)} 处" if len(problems) > 10 else "")
        raise BackupError(f"备份文件校验失败（{shown}）。文件可能被改动或损坏，已拒绝恢复，未做任何改动。")
    return manifest


def _ensure_empty(models, using):
    filled = [model._meta.label_lower for model in models if model._base_manager.using(using).exists()]
    if filled:
        shown = "、".join(filled[:8]) + (f" 等 {len(filled)} 个表" if len(filled) > 8 else "")
        raise BackupError(
            f"目标数据库不是空的（已有数据：{shown}），为避免覆盖或混合数据，已拒绝恢复。"
            "请新建一个空数据库，运行 python manage.py migrate 后再恢复；"
            "恢复前不要创建超级用户、导入规划或生成演示账号。"
        )


def _check_compatible(manifest, models, using):
    wanted, current = manifest.get("migrations") or {}, migration_heads(using)
    if wanted != current:
        lines = []
        for app in sorted(set(wanted) | set(current)):
            if wanted.get(app) != current.get(app):
                lines.append(f"{app}：备份为 {', '.join(wanted.get(app) or ['（无）'])}，"
                             f"当前数据库为 {', '.join(current.get(app) or ['（无）'])}")
        raise BackupError(
            "数据库迁移状态与备份不一致（" + "；".join(lines) + "）。请使用与备份时相同版本的代码，"
            "对新建的空数据库运行 python manage.py migrate 后再恢复。"
        )
    known = {model._meta.label_lower for model in models}
    unknown = sorted(set(manifest.get("counts") or {}) - known)
    if unknown:
        raise BackupError(f"备份中有当前程序没有的数据表（{'、'.join(unknown)}），请使用与备份时相同版本的代码恢复。")


def _media_members(manifest):
    prefix = f"{MEDIA_DIR}/"
    return sorted(name for name in manifest["members"] if name.startswith(prefix))


def _check_media_targets(manifest, media_root, staging):
    """Refuse before touching the database if MEDIA_ROOT already holds a different file of the same name."""
    conflicts = []
    for name in _media_members(manifest):
        destination = media_root.joinpath(*name.split("/")[1:])
        if destination.is_symlink() or (destination.exists() and not destination.is_file()):
            conflicts.append(str(destination))
        elif destination.exists() and _sha256(destination) != manifest["members"][name]["sha256"]:
            conflicts.append(str(destination))
    if conflicts:
        raise BackupError(f"上传文件目录中已有同名但内容不同的文件（{'、'.join(conflicts[:5])}），已拒绝恢复。"
                          f"请清空 MEDIA_ROOT（{media_root}）后重试。")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(COPY_BUFSIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _sequence_positions(models, using):
    """model label → the last id its sequence handed out, deleted rows included.

    Restoring only max(id) would hand a deleted record's id to the next new record, whose history
    (and anything else still keyed by that id) would then run together with the deleted one's."""
    connection = connections[using]
    positions = {}
    with connection.cursor() as cursor:
        for model in models:
            auto = model._meta.auto_field
            if auto is None:
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), auto.column])
                sequence = cursor.fetchone()[0]
                if not sequence:
                    continue
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
                last_value, is_called = cursor.fetchone()
                position = last_value if is_called else last_value - 1
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                position = row[0] if row else 0
            else:
                continue
            if position:
                positions[model._meta.label_lower] = int(position)
    return positions


def _reset_sequences(models, positions, using):
    """Sequences continue after the highest id in the table or the position recorded at backup, whichever is later."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        for model in models:
            position, auto = positions.get(model._meta.label_lower), model._meta.auto_field
            if not isinstance(position, int) or position <= 0 or auto is None:
                continue
            table, column = model._meta.db_table, auto.column
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(%s, COALESCE(MAX({connection.ops.quote_name(column)}), 0)), true)"
                    f" FROM {connection.ops.quote_name(table)}",
                    [connection.ops.quote_name(table), column, position],
                )
            elif connection.vendor == "sqlite":
                cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [position, table])
                if cursor.rowcount == 0:
                    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, position])
    return models


def _load(data_path, manifest, models, using):
    connection = connections[using]
    loaded, deferred = Counter(), []
    with connection.constraint_checks_disabled():
        with open(data_path, encoding="utf-8") as stream:
            for obj in serializers.deserialize("jsonl", stream, using=using, handle_forward_references=True):
                obj.object.skip_history_when_saving = True  # belt and braces: raw saves already skip history
                obj.save(using=using, force_insert=True)
                loaded[obj.object._meta.label_lower] += 1
                if obj.deferred_fields:
                    deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields(using=using)
    tables = [model._meta.db_table for model in _reset_sequences(models, manifest.get("sequences") or {}, using)]
    connection.check_constraints(table_names=tables)
    expected = {label: count for label, count in (manifest.get("counts") or {}).items() if count}
    if dict(loaded) != expected:
        different = sorted(label for label in set(loaded) | set(expected) if loaded.get(label, 0) != expected.get(label, 0))
        raise BackupError(f"恢复的行数与清单不符（{'、'.join(different)}），已回滚，未做任何改动。")
    return dict(loaded)


def restore_backup(path, *, using=DEFAULT_DB_ALIAS, media_root=None):
    """Load an archive written by `create_backup` into an empty, migrated database.

    Checks, in this order, before writing anything: the database is empty; every member of the
    archive is safe to unpack and matches the manifest's size and sha256; the database has the
    same migrations applied as the one backed up. Then loads all rows in one transaction, resets
    the sequences, and moves the uploaded files into MEDIA_ROOT; if anything fails, the
    transaction is rolled back and the files placed so far are removed again."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    media_root = Path(media_root or settings.MEDIA_ROOT)
    models = backed_up_models(using)
    _ensure_empty(models, using)

    with tempfile.TemporaryDirectory(prefix="restore-") as staging_name:
        staging = Path(staging_name)
        manifest = _extract_verified(path, staging)
        _check_compatible(manifest, models, using)
        _check_media_targets(manifest, media_root, staging)

        placed = []
        try:
            with transaction.atomic(using=using):
                counts = _load(staging / DATA, manifest, models, using)
                generations.bump()  # cached summaries of whatever was served before are stale
                for name in _media_members(manifest):
                    destination = media_root.joinpath(*name.split("/")[1:])
                    if destination.exists():
                        continue  # the very same file (checked above)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(staging.joinpath(*name.split("/")), destination)
                    placed.append(destination)
        except BackupError:
            _remove(placed)
            raise
        except Exception as exc:
            _remove(placed)
            raise BackupError(f"恢复失败，数据库已回滚，未做任何改动：{exc}") from exc
    return RestoreResult(counts=counts, media_files=len(_media_members(manifest)), manifest=manifest)


def _remove(paths):
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass
