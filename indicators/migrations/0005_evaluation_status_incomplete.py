"""Issue 14: the status 数据不全 (incomplete) of a shared-target group, and stored directions
re-derived where a numeric target now decides them (文水县 24 黑臭水体整治率 38.57 → 100 rises).
Directions set by hand are kept. Run `manage.py reevaluate` afterwards to refresh stored results."""
from django.db import migrations, models


def rederive_directions(apps, schema_editor):
    from indicators.plans import directions, targets

    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorTarget = apps.get_model("indicators", "IndicatorTarget")
    specs = {}
    for target in IndicatorTarget.objects.order_by("indicator_id", "year").only("indicator_id", "raw"):
        specs.setdefault(target.indicator_id, []).append(targets.parse_target(target.raw))
    for indicator in Indicator.objects.filter(direction_manual=False).only("pk", "name", "unit", "baseline_raw", "direction"):
        direction = directions.derive_direction(indicator.name, indicator.unit, targets.parse_value(indicator.baseline_raw),
                                                specs.get(indicator.pk, []))
        if direction != indicator.direction:
            Indicator.objects.filter(pk=indicator.pk).update(direction=direction)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0004_report_paragraphs'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='evaluationresult',
            name='evaluation_status_valid',
        ),
        migrations.AlterField(
            model_name='evaluationresult',
            name='status',
            field=models.CharField(choices=[('met', '已完成'), ('not_met', '未完成'), ('on_track', '符合序时进度'), ('behind', '滞后'), ('regressing', '逆向'), ('awaiting_target', '待下达'), ('needs_judgement', '待评价'), ('no_data', '无数据'), ('incomplete', '数据不全')], max_length=16, verbose_name='状态'),
        ),
        migrations.AddConstraint(
            model_name='evaluationresult',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ('met', 'not_met', 'on_track', 'behind', 'regressing', 'awaiting_target', 'needs_judgement', 'no_data', 'incomplete'))), name='evaluation_status_valid'),
        ),
        migrations.RunPython(rederive_directions, migrations.RunPython.noop),
    ]
