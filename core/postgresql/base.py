"""Django's PostgreSQL backend with server-side parameters and prepared statements.

A page's queries are the same few statements every time with other numbers in them (the review
queue's, a province's project list). Django's default binds parameters into the SQL text on the
client, so PostgreSQL parses and plans each statement anew: for the review queue's scoped,
annotated query planning took longer than running it. Bound on the server instead, psycopg
prepares a statement once it has run `prepare_threshold` times on a connection, and PostgreSQL
keeps its plan (settings: `DJANGO_DB_PREPARE_THRESHOLD`; "off" for a connection pooler in
transaction mode, which cannot keep prepared statements).

Two limits of server-side parameters that Django 5.2 does not handle yet:
- the protocol carries at most 65,535 parameters per statement. `max_query_params` makes
  bulk_create/bulk_update/delete batch below it (as Django 6.1 does, ticket #36822), and a
  statement that still has more (an `IN` over a nation's ids) is bound on the client, as before;
- parameters repeated in SELECT and GROUP BY are not recognised as equal (ticket #34255): no
  query of ours groups by a parameter; the PostgreSQL leg of the suite runs every one.
"""
import psycopg
from django.db.backends.postgresql import base, features

PROTOCOL_MAX_PARAMS = 2**16 - 1


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = PROTOCOL_MAX_PARAMS


class ServerBindingCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, **kwargs):
        if params is not None and len(params) > PROTOCOL_MAX_PARAMS:
            query, params = psycopg.ClientCursor(self.connection).mogrify(query, params), None
        return super().execute(query, params, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def get_connection_params(self):
        params = super().get_connection_params()
        if self.features.uses_server_side_binding:
            params["cursor_factory"] = ServerBindingCursor
        return params
