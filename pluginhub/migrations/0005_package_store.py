from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

async def store_chunks_uncompressed(apps, schema_editor):
    """Packages are zip archives: PostgreSQL's TOAST compression would spend CPU for nothing."""
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor._run_sql("ALTER TABLE package_chunk ALTER COLUMN data SET STORAGE EXTERNAL")


class Migration(migrations.Migration):
    dependencies = [('models', '0004_shared_release_fields')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StoredPackage',
            fields=[
                ('sha256', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('size', fields.BigIntField()),
                ('stored_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'package_blob', 'app': 'models', 'pk_attr': 'sha256', 'table_description': 'One complete object: its row and chunks commit together, so it is whole or absent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoredChunk',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('blob', fields.ForeignKeyField('models.StoredPackage', source_field='blob_id', db_constraint=True, to_field='sha256', related_name='chunks', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'package_chunk', 'app': 'models', 'unique_together': (('blob', 'seq'),), 'pk_attr': 'id', 'table_description': 'A slice of the bytes of an object, `seq` ordering them from 0.'},
            bases=['Model'],
        ),
        ops.RunPython(store_chunks_uncompressed, ops.RunPython.noop),
    ]
