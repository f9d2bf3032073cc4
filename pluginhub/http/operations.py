"""Which operation of the document a request runs, and whether it may run here.

The document is parsed and validated once (`schema.parsing`,
`schema.validation`, both cached by text). The operation is then picked as
the GraphQL spec says, but refused where graphql-core would guess or
strawberry would answer in plain text: several operations without
`operationName`, a name the document lacks, a mutation over GET, a
subscription over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType

from ..resolvers.errors import RequestCode
from ..schema import Schema
from ..schema.parsing import parse_document
from . import refusals
from .requests import Operation


@dataclass
class PreparedOperation:
    """A request's operation, parsed and validated, ready for an executor.

    Otherwise nothing may run: `errors` holds the document's errors (it does
    not parse or validate; strawberry reports them, through its extensions),
    or `unresolved` why no operation of a valid document can be picked.
    """

    operation: Operation
    document: DocumentNode | None = None
    definition: OperationDefinitionNode | None = None
    errors: list[GraphQLError] = field(default_factory=list)
    unresolved: GraphQLError | None = None

    @property
    def kind(self) -> OperationType | None:
        return self.definition.operation if self.definition else None


def unresolved(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": RequestCode.OPERATION_RESOLUTION_FAILURE.value})


def pick(document: DocumentNode, name: str | None) -> OperationDefinitionNode | GraphQLError:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) == 1:
            return operations[0]
        if not operations:
            return unresolved("the document has no operation to run")
        return unresolved(f"the document has {len(operations)} operations: name the one to run with `operationName`")
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    return unresolved(f"the document has no operation named {name!r}")


def prepare(schema: Schema, operation: Operation) -> PreparedOperation:
    try:
        document = parse_document(operation.query, schema.settings.max_query_tokens)
    except GraphQLError as error:
        return PreparedOperation(operation, errors=[error])
    errors = schema.validator.errors(schema._schema, operation.query, document)
    if errors:
        return PreparedOperation(operation, document, errors=list(errors))
    chosen = pick(document, operation.operation_name)
    if isinstance(chosen, GraphQLError):
        return PreparedOperation(operation, document, unresolved=chosen)
    if chosen.operation == OperationType.SUBSCRIPTION:
        raise refusals.subscription_over_http()
    if chosen.operation == OperationType.MUTATION and operation.method == "GET":
        raise refusals.method_not_allowed("mutations are sent with POST; GET runs queries only", allow="POST")
    return PreparedOperation(operation, document, chosen)
