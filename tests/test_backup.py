"""manage.py backup / restore: a round trip of the five real plans with reported values, their
history and an evidence file, and the archives restore must refuse."""
import datetime
import io
import json
import shutil
import tarfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import transaction
from django.utils import timezone
from core.models import ApiToken

from accounts.models import Role
from core import backup
from core.models import DataGeneration
from indicators.models import AssignedTarget, Indicator, IndicatorTarget, IndicatorValue, Plan, Region
from reporting import services, workflow
from reporting.models import Evidence, Notification, ReportingPeriod, StateChange

from tests.factories import user_with_role

NOT_IN_ARCHIVE = {"contenttypes.contenttype", "auth.permission", "sessions.session", "core.datageneration"}
EVIDENCE_BYTES = b"%PDF-1.4\n% \xe7\x9b\x91\xe6\xb5\x8b\xe6\x8a\xa5\xe5\x91\x8a\n" + bytes(range(256)) * 64


def database_snapshot():
    """Every row of every table the backup covers — many-to-many tables too — as the database
    stores it (microseconds and all), ordered by pk. Content types and permissions are recreated
    by `migrate` with ids of their own, so references to them are compared by natural key."""
    content_types = {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}
    permissions = {p.pk: (p.codename, *content_types[p.content_type_id]) for p in Permission.objects.all()}
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in NOT_IN_ARCHIVE:
            continue
        translate = {
            f.attname: content_types if f.related_model is ContentType else permissions
            for f in meta.concrete_fields if f.is_relation and f.related_model in (ContentType, Permission)
        }
        rows = []
        for row in model._base_manager.order_by("pk").values():
            for attname, keys in translate.items():
                if row[attname] is not None:
                    row[attname] = keys[row[attname]]
            rows.append(row)
        snapshot[meta.label_lower] = rows
    return snapshot


def media_snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def approve(value, reviewer):
    """What services.review(value, "approve", reviewer) writes — the value's new state and
    version, its history row, the StateChange and the bureau's notifications — step by step.

    services.review cannot run on PostgreSQL yet: locked_save's
    select_for_update().select_related("updated_by") is refused there ("FOR UPDATE cannot be
    applied to the nullable side of an outer join"); select_for_update(of=("self",)) fixes it.
    Call services.review here once that is fixed."""
    transition = workflow.plan_transition(value.state, workflow.APPROVE, may_review=value.review_allowed(reviewer))
    with transaction.atomic():
        value = IndicatorValue.objects.select_for_update(of=("self",)).get(pk=value.pk)
        value.state, value.reviewed_at, value.reviewed_by = transition.to_state, timezone.now(), reviewer
        value.version += 1
        value.updated_by = reviewer
        value._change_reason = transition.label
        value._history_user = reviewer
        value.save()
        services.record_change(value, transition, reviewer)
        services.notify_bureau(value, workflow.APPROVE)
    return value


def report_some_values(plans):
    """Values, a review, evidence and the rest of what a year of use leaves in the database."""
    plan = next(p for p in plans.values() if Indicator.objects.filter(plan=p, bureaus__isnull=False).exists())
    indicators = list(Indicator.objects.filter(plan=plan, bureaus__isnull=False).distinct().order_by("order")[:3])
    bureau = indicators[0].bureaus.first()
    staff = user_with_role(Role.BUREAU_STAFF, bureau=bureau, username="填报员甲")
    reviewer = user_with_role(Role.REVIEWER, region=plan.region, username="审核员乙")

    ReportingPeriod.objects.create(plan=plan, year=2023, opens_on=datetime.date(2024, 1, 1),
                                   deadline=datetime.date(2024, 3, 31), kept_open=True, changed_by=reviewer)
    value = IndicatorValue(indicator=indicators[0], year=2023, raw="38.5", number=Decimal("38.5"), source="统计年鉴",
                           note="含新增造林", state=workflow.SUBMITTED, submitted_at=timezone.now(),
                           created_by=staff, updated_by=staff)
    value._history_user = staff
    value.save()
    approved = approve(value, reviewer)
    draft = IndicatorValue(indicator=indicators[1], year=2023, raw="达标", judgement="met",
                           created_by=staff, updated_by=staff)
    draft._history_user = staff
    draft.save()
    evidence = Evidence.objects.create(
        record=approved, file=ContentFile(EVIDENCE_BYTES, name="2023年监测报告.pdf"), original_name="2023年监测报告.pdf",
        media_type="application/pdf", size=len(EVIDENCE_BYTES), uploaded_by=staff,
    )

    # A departed user: their draft was deleted, then their account — the history rows still hold
    # their id (simple-history keeps no database constraint), which the backup must carry as is.
    leaver = user_with_role(Role.BUREAU_STAFF, bureau=bureau, username="已离职")
    gone = IndicatorValue(indicator=indicators[2], year=2022, raw="1", number=1, created_by=leaver, updated_by=leaver)
    gone._history_user = leaver
    gone.save()
    gone_id = gone.pk
    gone.delete()
    leaver.delete()

    plan.notes = [*plan.notes, "备份测试追加的表注"]
    plan._change_reason = "补充表注"
    plan.save()
    target = IndicatorTarget.objects.filter(indicator__plan=plan).first()
    AssignedTarget.objects.create(target=target, value=Decimal("2.5"), year=2023, document="长环发〔2023〕1号",
                                  document_date=datetime.date(2023, 2, 1), recorded_by=reviewer)
    group = Group.objects.create(name="数据审核组")
    group.permissions.add(Permission.objects.get(codename="change_indicatorvalue"))
    reviewer.groups.add(group)
    reviewer.user_permissions.add(Permission.objects.get(codename="view_plan"))
    ApiToken.issue(reviewer)
    LogEntry.objects.create(user=reviewer, content_type=ContentType.objects.get_for_model(Plan), object_id=str(plan.pk),
                            object_repr=str(plan), action_flag=CHANGE, change_message="修改表注")
    return {"plan": plan, "indicators": indicators, "staff": staff, "reviewer": reviewer, "value": approved,
            "evidence": evidence, "deleted_value_id": gone_id}


def give_content_types_new_ids():
    """A database migrated elsewhere numbers its content types and permissions differently."""
    ContentType.objects.all().delete()
    ContentType.objects.create(app_label="zz_backup_test", model="placeholder")
    ContentType.objects.clear_cache()
    emit_post_migrate_signal(0, False, "default")
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_file_into_an_empty_database(real_plans, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    made = report_some_values(real_plans)
    value_type_id = ContentType.objects.get_for_model(IndicatorValue).pk
    before, files_before = database_snapshot(), media_snapshot(settings.MEDIA_ROOT)
    assert len(before["indicators.plan"]) == 5
    assert len(before["indicators.indicatorvalue"]) == 2
    assert [r["history_type"] for r in before["indicators.historicalindicatorvalue"]].count("-") == 1
    assert before["reporting.statechange"] and before["reporting.evidence"] and before["reporting.notification"]
    assert before["indicators.indicator_bureaus"] and before["auth.group_permissions"]
    assert list(files_before.values()) == [EVIDENCE_BYTES]

    archive = tmp_path / "备份.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "已写入备份" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "data.jsonl" and names[-1] == "manifest.json"
    assert f"media/{made['evidence'].file.name}" in names
    assert manifest["counts"]["indicators.plan"] == 5
    assert manifest["counts"]["indicators.historicalindicatorvalue"] == len(before["indicators.historicalindicatorvalue"])
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    assert manifest["migrations"]["indicators"]

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    give_content_types_new_ids()
    assert ContentType.objects.get_for_model(IndicatorValue).pk != value_type_id

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "恢复" in out.getvalue()
    ContentType.objects.clear_cache()

    after = database_snapshot()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], label
    assert media_snapshot(settings.MEDIA_ROOT) == files_before
    assert DataGeneration.objects.get().number >= 1  # raised by the restore: cached summaries are stale
    with Evidence.objects.get(pk=made["evidence"].pk).file.open("rb") as fh:
        assert fh.read() == EVIDENCE_BYTES
    assert Evidence.objects.get().record == IndicatorValue.objects.get(pk=made["value"].pk)

    # The database keeps working: new rows get fresh ids (sequences were reset on PostgreSQL),
    # and the workflow writes history, state changes and many-to-many rows as before.
    staff, reviewer = User.objects.get(username="填报员甲"), User.objects.get(username="审核员乙")
    indicator = Indicator.objects.get(pk=made["indicators"][2].pk)
    fresh = IndicatorValue(indicator=indicator, year=2024, raw="40", number=40, state=workflow.SUBMITTED,
                           created_by=staff, updated_by=staff)
    fresh._history_user = staff
    fresh.save()
    approve(fresh, reviewer)
    assert fresh.pk > made["deleted_value_id"]  # a deleted record's id is not handed out again
    assert fresh.history.count() == 2
    assert StateChange.objects.count() == len(before["reporting.statechange"]) + 1
    indicator.bureaus.add(*Region.objects.get(pk=indicator.plan.region_id).bureaus.all())
    Evidence.objects.create(record=fresh, file=ContentFile(b"x", name="b.txt"), original_name="b.txt",
                            media_type="text/plain", size=1, uploaded_by=staff)
    Notification.objects.create(user=staff, kind=Notification.Kind.REPORT, message="恢复后新建")


@pytest.mark.django_db
def test_restore_refuses_a_database_that_already_holds_data(real_plans, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    plans_before = Plan.objects.count()

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), stdout=io.StringIO())

    message = str(refused.value)
    assert "目标数据库不是空的" in message and "indicators.plan" in message
    assert "migrate" in message
    assert Plan.objects.count() == plans_before


@pytest.mark.django_db
def test_backup_will_not_overwrite_an_existing_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    existing = tmp_path / "backup.tar.gz"
    existing.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="文件已存在"):
        call_command("backup", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"an older backup"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.tar.gz"]


# ---------------------------------------------------------------- archives restore refuses

@pytest.fixture
def small_archive(transactional_db, settings, tmp_path):
    """A backup of one region and one uploaded file, and an empty database and media dir to restore into."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("flush", interactive=False, verbosity=0)
    Region.objects.create(code="990001", name="测试县", level=Region.Level.COUNTY)
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "a.txt").write_bytes(b"evidence")
    archive = tmp_path / "small.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    return archive


def rewrite(archive, change):
    """A copy of `archive` with each member passed through change(name, bytes) → [(name, bytes), …]."""
    copy = archive.with_name("changed.tar.gz")
    with tarfile.open(archive, "r:gz") as source, tarfile.open(copy, "w:gz") as target:
        for member in source:
            for name, payload in change(member.name, source.extractfile(member).read()):
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                target.addfile(info, io.BytesIO(payload))
    return copy


def edit_manifest(edit):
    def change(name, payload):
        if name == "manifest.json":
            manifest = json.loads(payload)
            edit(manifest)
            payload = json.dumps(manifest).encode()
        return [(name, payload)]
    return change


def assert_nothing_restored(settings):
    assert not Region.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def test_the_small_archive_itself_restores(small_archive, settings):
    call_command("restore", str(small_archive), stdout=io.StringIO())
    assert Region.objects.get().name == "测试县"
    assert (settings.MEDIA_ROOT / "evidence" / "a.txt").read_bytes() == b"evidence"


def _tamper_data(name, payload):
    return [(name, payload.replace("测试县".encode(), "篡改县".encode()) if name == "data.jsonl" else payload)]


def _tamper_file(name, payload):
    return [(name, b"forged" if name == "media/evidence/a.txt" else payload)]


def _add_unlisted(name, payload):
    return [(name, payload)] + ([("media/evidence/unlisted.txt", b"?")] if name == "data.jsonl" else [])


def _forge_checksum(manifest):
    manifest["members"]["media/evidence/a.txt"]["sha256"] = "0" * 64


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change, message",
    [
        (_tamper_data, "data.jsonl 的校验和不符"),
        (_tamper_file, "media/evidence/a.txt 的校验和不符"),
        (edit_manifest(_forge_checksum), "media/evidence/a.txt 的校验和不符"),
        (_add_unlisted, "清单中没有 media/evidence/unlisted.txt"),
    ],
    ids=["data-changed", "file-changed", "checksum-changed", "file-added"],
)
def test_a_tampered_archive_is_refused(small_archive, settings, change, message):
    with pytest.raises(CommandError, match="备份文件校验失败") as refused:
        call_command("restore", str(rewrite(small_archive, change)), stdout=io.StringIO())
    assert message in str(refused.value)
    assert_nothing_restored(settings)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("evil", ["../evil", "media/../../evil", "/tmp/evil-backup-member"])
def test_a_member_outside_the_archive_is_refused(small_archive, settings, tmp_path, evil):
    def change(name, payload):
        return [(evil, b"pwned"), (name, payload)] if name == "data.jsonl" else [(name, payload)]

    with pytest.raises(CommandError, match="不安全的路径"):
        call_command("restore", str(rewrite(small_archive, change)), stdout=io.StringIO())
    assert_nothing_restored(settings)
    assert not (tmp_path.parent / "evil").exists() and not (tmp_path / "evil").exists()


@pytest.mark.django_db(transaction=True)
def test_an_archive_from_other_migrations_is_refused(small_archive, settings):
    def future(manifest):
        manifest["migrations"]["indicators"] = ["9999_from_the_future"]

    with pytest.raises(CommandError, match="迁移状态与备份不一致") as refused:
        call_command("restore", str(rewrite(small_archive, edit_manifest(future))), stdout=io.StringIO())
    assert "9999_from_the_future" in str(refused.value)
    assert_nothing_restored(settings)


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("not an archive")
    with pytest.raises(backup.BackupError, match="不是有效的备份文件"):
        backup._extract_verified(bogus, tmp_path)
