"""The committed SDL is the schema the code builds, and every part of it is documented."""

from __future__ import annotations

from pathlib import Path

import graphql
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    is_introspection_type,
    is_specified_directive,
    is_specified_scalar_type,
)

from pluginhub.schema import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_is_current() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == export_sdl(), "schema.graphql is out of date with the code: run `make schema` and commit it"


def undocumented(schema: graphql.GraphQLSchema) -> list[str]:
    missing: list[str] = []

    def check(path: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(path)

    for name, type_ in sorted(schema.type_map.items()):
        if is_introspection_type(type_) or is_specified_scalar_type(type_):
            continue
        check(name, type_.description)
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in getattr(field, "args", {}).items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{name}.{value_name}", value.description)
        elif isinstance(type_, GraphQLUnionType):
            pass  # the type's own description is all a union has
    for directive in schema.directives:
        if is_specified_directive(directive):
            continue
        check(f"@{directive.name}", directive.description)
        for arg_name, arg in directive.args.items():
            check(f"@{directive.name}({arg_name})", arg.description)
    return missing


def test_everything_in_the_schema_is_described() -> None:
    schema = graphql.build_schema(export_sdl())
    missing = undocumented(schema)
    assert missing == [], "these have no description:\n  " + "\n  ".join(missing)


def test_the_description_check_can_fail() -> None:
    schema = graphql.build_schema(
        '"""A thing."""\ntype Query {\n  """Documented."""\n  a(x: Int): Int\n  b: Color\n}\n'
        '"""Colours."""\nenum Color {\n  """Red."""\n  RED\n  BLUE\n}\n'
    )
    assert undocumented(schema) == ["Color.BLUE", "Query.a(x)", "Query.b"]


def test_schema_has_the_root_types() -> None:
    schema = graphql.build_schema(export_sdl())
    assert schema.query_type is not None and schema.query_type.name == "Query"
    assert schema.mutation_type is not None and schema.mutation_type.name == "Mutation"
    assert "viewer" in schema.query_type.fields
    assert "uploadVersion" in schema.mutation_type.fields
