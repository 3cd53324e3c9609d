/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vulnerability DB: schema, import transaction, queries. The format parsers are in
 * advisory.c; they call the adv_* functions below to store what they read. */
#include "scan/vulndb.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "scan/advisory.h"

#define SCHEMA_VERSION "2"

struct hull_vulndb {
	sqlite3 *db;
	char *path;
	bool in_tx;
	char newest[40]; /* latest published/modified date seen since the last source record */
	sqlite3_stmt *find_adv, *del_aff, *del_adv, *ins_adv, *ins_aff, *query, *ins_src;
	sqlite3_stmt *del_ns_aff, *del_ns_adv;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS source(name TEXT PRIMARY KEY, format TEXT NOT NULL,"
    " origin TEXT NOT NULL, imported TEXT NOT NULL, data_date TEXT,"
    " records INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS advisory(id INTEGER PRIMARY KEY, ns TEXT NOT NULL,"
    " adv_id TEXT NOT NULL, summary TEXT, severity TEXT, aliases TEXT, related TEXT,"
    " refs TEXT, published TEXT, modified TEXT, UNIQUE(ns, adv_id));"
    "CREATE TABLE IF NOT EXISTS affected(adv INTEGER NOT NULL, ecosystem TEXT NOT NULL,"
    " name TEXT NOT NULL, rtype TEXT, events TEXT, versions TEXT, severity TEXT);"
    "CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, name);"
    "CREATE INDEX IF NOT EXISTS affected_adv ON affected(adv);"
    "INSERT OR IGNORE INTO meta VALUES('schema', '" SCHEMA_VERSION "');";

static int db_fail(struct hull_vulndb *db, hull_err *err, const char *what)
{
	return hull_fail(err, 0, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->db));
}

static int prep(struct hull_vulndb *db, sqlite3_stmt **st, const char *sql, hull_err *err)
{
	if (*st)
		return 0;
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_fail(db, err, "prepare");
	return 0;
}

static int64_t count_of(struct hull_vulndb *db, const char *sql);

/* A database written by another schema version is refused, never half-read. */
static int check_schema(struct hull_vulndb *db, hull_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *v = NULL;
	int ret = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key='schema'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = (const char *)sqlite3_column_text(st, 0);
	if (!v || strcmp(v, SCHEMA_VERSION))
		ret = hull_failk(err, HULL_ERR_INVALID, 0,
				 "%s: not a hull vulnerability database of schema %s (found %s); "
				 "remove it and import the advisories again",
				 db->path, SCHEMA_VERSION, v ? v : "none");
	sqlite3_finalize(st);
	return ret;
}

int hull_vulndb_open(const char *path, bool writable, struct hull_vulndb **out, hull_err *err)
{
	struct hull_vulndb *db = calloc(1, sizeof *db);
	int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	char *emsg = NULL;

	if (!db || !(db->path = strdup(path))) {
		free(db);
		return hull_fail(err, ENOMEM, "open %s", path);
	}
	if (!writable && access(path, F_OK) < 0) {
		hull_failk(err, HULL_ERR_NOTFOUND, errno,
			   "vulnerability database %s (create it with: hull db import FILE...)",
			   path);
		hull_vulndb_close(db);
		return -1;
	}
	if (writable) {
		/* Create the parent directory (/var/lib/hull) if needed; never world-readable
		 * secrets in here, but advisories are public: 0755 is right. */
		_cleanup_free_ char *dir = strdup(path);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0755);
		}
	}
	if (sqlite3_open_v2(path, &db->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		hull_fail(err, 0, "open %s: %s", path,
			  db->db ? sqlite3_errmsg(db->db) : "no memory");
		hull_vulndb_close(db);
		return -1;
	}
	/* A scan waits for a concurrent import's commit for a few seconds at most (WAL makes
	 * that rare: readers only wait for checkpoints). */
	sqlite3_busy_timeout(db->db, 10000);
	if (writable) {
		/* An existing database must be ours before anything is written into it. */
		if (count_of(db, "SELECT count(*) FROM sqlite_master") != 0 &&
		    check_schema(db, err) < 0) {
			hull_vulndb_close(db);
			return -1;
		}
		if (sqlite3_exec(db->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
				 NULL, NULL, &emsg) != SQLITE_OK ||
		    sqlite3_exec(db->db, schema_sql, NULL, NULL, &emsg) != SQLITE_OK) {
			hull_fail(err, 0, "%s: create schema: %s", path, emsg ? emsg : "?");
			sqlite3_free(emsg);
			hull_vulndb_close(db);
			return -1;
		}
	} else if (check_schema(db, err) < 0) {
		hull_vulndb_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void hull_vulndb_close(struct hull_vulndb *db)
{
	if (!db)
		return;
	if (db->in_tx)
		hull_vulndb_import_abort(db);
	sqlite3_stmt *sts[] = {db->find_adv, db->del_aff,    db->del_adv,
			       db->ins_adv,  db->ins_aff,    db->query,
			       db->ins_src,  db->del_ns_aff, db->del_ns_adv};
	for (size_t i = 0; i < ARRAY_SIZE(sts); i++)
		sqlite3_finalize(sts[i]);
	if (db->db)
		sqlite3_close(db->db);
	free(db->path);
	free(db);
}

int hull_vulndb_import_begin(struct hull_vulndb *db, hull_err *err)
{
	if (sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, "begin import");
	db->in_tx = true;
	return 0;
}

int hull_vulndb_import_commit(struct hull_vulndb *db, hull_err *err)
{
	if (sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, "commit import");
	db->in_tx = false;
	/* Keep the WAL file small after a big import. */
	sqlite3_wal_checkpoint_v2(db->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return 0;
}

void hull_vulndb_import_abort(struct hull_vulndb *db)
{
	if (db->in_tx)
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = false;
}

/* ---- writers used by the parsers ---- */

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int adv_drop_ns(struct hull_vulndb *db, const char *ns, hull_err *err)
{
	if (prep(db, &db->del_ns_aff,
		 "DELETE FROM affected WHERE adv IN (SELECT id FROM advisory WHERE ns=?1)",
		 err) < 0 ||
	    prep(db, &db->del_ns_adv, "DELETE FROM advisory WHERE ns=?1", err) < 0)
		return -1;
	sqlite3_reset(db->del_ns_aff);
	sqlite3_reset(db->del_ns_adv);
	bind_text(db->del_ns_aff, 1, ns);
	bind_text(db->del_ns_adv, 1, ns);
	if (sqlite3_step(db->del_ns_aff) != SQLITE_DONE ||
	    sqlite3_step(db->del_ns_adv) != SQLITE_DONE)
		return db_fail(db, err, "replace data");
	return 0;
}

int adv_drop(struct hull_vulndb *db, const char *ns, const char *id, hull_err *err)
{
	int rc;
	if (prep(db, &db->find_adv, "SELECT id FROM advisory WHERE ns=?1 AND adv_id=?2", err) < 0 ||
	    prep(db, &db->del_aff, "DELETE FROM affected WHERE adv=?1", err) < 0 ||
	    prep(db, &db->del_adv, "DELETE FROM advisory WHERE id=?1", err) < 0)
		return -1;
	sqlite3_reset(db->find_adv);
	bind_text(db->find_adv, 1, ns);
	bind_text(db->find_adv, 2, id);
	rc = sqlite3_step(db->find_adv);
	if (rc == SQLITE_ROW) {
		sqlite3_int64 row = sqlite3_column_int64(db->find_adv, 0);
		sqlite3_reset(db->del_aff);
		sqlite3_reset(db->del_adv);
		sqlite3_bind_int64(db->del_aff, 1, row);
		sqlite3_bind_int64(db->del_adv, 1, row);
		if (sqlite3_step(db->del_aff) != SQLITE_DONE ||
		    sqlite3_step(db->del_adv) != SQLITE_DONE)
			return db_fail(db, err, "replace advisory");
	} else if (rc != SQLITE_DONE) {
		return db_fail(db, err, "find advisory");
	}
	sqlite3_reset(db->find_adv);
	return 0;
}

/* The data's own date: the newest timestamp its records carry (ISO 8601 sorts as text). */
static void note_date(struct hull_vulndb *db, const char *d)
{
	if (d && strlen(d) >= 10 && strlen(d) < sizeof db->newest && d[4] == '-' &&
	    strcmp(d, db->newest) > 0)
		strcpy(db->newest, d);
}

int adv_insert(struct hull_vulndb *db, const struct adv_record *a, int64_t *rowid, hull_err *err)
{
	note_date(db, a->published);
	note_date(db, a->modified);
	if (prep(
		db, &db->ins_adv,
		"INSERT INTO advisory(ns, adv_id, summary, severity, aliases, related, refs,"
		" published, modified) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)"
		" ON CONFLICT(ns, adv_id) DO UPDATE SET summary=coalesce(summary, excluded.summary)"
		" RETURNING id",
		err) < 0)
		return -1;
	sqlite3_reset(db->ins_adv);
	bind_text(db->ins_adv, 1, a->ns);
	bind_text(db->ins_adv, 2, a->id);
	bind_text(db->ins_adv, 3, a->summary);
	bind_text(db->ins_adv, 4, a->severity);
	bind_text(db->ins_adv, 5, a->aliases);
	bind_text(db->ins_adv, 6, a->related);
	bind_text(db->ins_adv, 7, a->refs);
	bind_text(db->ins_adv, 8, a->published);
	bind_text(db->ins_adv, 9, a->modified);
	if (sqlite3_step(db->ins_adv) != SQLITE_ROW)
		return db_fail(db, err, "insert advisory");
	*rowid = sqlite3_column_int64(db->ins_adv, 0);
	sqlite3_reset(db->ins_adv);
	return 0;
}

int adv_insert_affected(struct hull_vulndb *db, int64_t adv, const struct adv_affected *f,
			hull_err *err)
{
	if (prep(db, &db->ins_aff,
		 "INSERT INTO affected(adv, ecosystem, name, rtype, events, versions, severity)"
		 " VALUES(?1,?2,?3,?4,?5,?6,?7)",
		 err) < 0)
		return -1;
	sqlite3_reset(db->ins_aff);
	sqlite3_bind_int64(db->ins_aff, 1, adv);
	bind_text(db->ins_aff, 2, f->ecosystem);
	bind_text(db->ins_aff, 3, f->name);
	bind_text(db->ins_aff, 4, f->rtype);
	bind_text(db->ins_aff, 5, f->events);
	bind_text(db->ins_aff, 6, f->versions);
	bind_text(db->ins_aff, 7, f->severity);
	if (sqlite3_step(db->ins_aff) != SQLITE_DONE)
		return db_fail(db, err, "insert affected package");
	return 0;
}

int adv_record_source(struct hull_vulndb *db, const char *name, const char *format,
		      const char *origin, size_t records, hull_err *err)
{
	char ts[64];
	hull_rfc3339_now(ts, sizeof ts);
	if (prep(db, &db->ins_src,
		 "INSERT INTO source(name, format, origin, imported, records, data_date)"
		 " VALUES(?1,?2,?3,?4,?5,?6)"
		 " ON CONFLICT(name) DO UPDATE SET format=excluded.format, origin=excluded.origin,"
		 " imported=excluded.imported, records=excluded.records, "
		 "data_date=excluded.data_date",
		 err) < 0)
		return -1;
	sqlite3_reset(db->ins_src);
	bind_text(db->ins_src, 1, name);
	bind_text(db->ins_src, 2, format);
	bind_text(db->ins_src, 3, origin);
	bind_text(db->ins_src, 4, ts);
	sqlite3_bind_int64(db->ins_src, 5, (sqlite3_int64)records);
	bind_text(db->ins_src, 6, db->newest[0] ? db->newest : NULL);
	db->newest[0] = '\0';
	if (sqlite3_step(db->ins_src) != SQLITE_DONE)
		return db_fail(db, err, "record source");
	return 0;
}

/* ---- reading ---- */

int hull_vulndb_query(struct hull_vulndb *db, const char *ecosystem, const char *name,
		      hull_adv_fn fn, void *data, hull_err *err)
{
	int rc;
	if (prep(db, &db->query,
		 "SELECT a.adv_id, a.ns, a.summary, coalesce(f.severity, a.severity), a.aliases,"
		 " a.related, a.refs, a.published, a.modified, f.ecosystem, f.name, f.rtype,"
		 " f.events, f.versions FROM affected f JOIN advisory a ON a.id = f.adv"
		 " WHERE f.ecosystem=?1 AND f.name=?2 ORDER BY a.adv_id",
		 err) < 0)
		return -1;
	sqlite3_reset(db->query);
	bind_text(db->query, 1, ecosystem);
	bind_text(db->query, 2, name);
	while ((rc = sqlite3_step(db->query)) == SQLITE_ROW) {
		struct hull_adv_row r;
#define COL(i) ((const char *)sqlite3_column_text(db->query, i))
		r.id = COL(0);
		r.ns = COL(1);
		r.summary = COL(2);
		r.severity = COL(3);
		r.aliases = COL(4);
		r.related = COL(5);
		r.refs = COL(6);
		r.published = COL(7);
		r.modified = COL(8);
		r.ecosystem = COL(9);
		r.name = COL(10);
		r.rtype = COL(11);
		r.events = COL(12);
		r.versions = COL(13);
#undef COL
		if (fn(&r, data, err) < 0) {
			sqlite3_reset(db->query);
			return -1;
		}
	}
	sqlite3_reset(db->query);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "query");
	return 0;
}

static int64_t count_of(struct hull_vulndb *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static json_object *text_or_null(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return t ? json_object_new_string(t) : NULL;
}

int hull_vulndb_sources(struct hull_vulndb *db, json_object **out, hull_err *err)
{
	json_object *o = json_object_new_object(), *srcs = json_object_new_array();
	sqlite3_stmt *st = NULL;
	if (!o || !srcs) {
		json_object_put(o);
		json_object_put(srcs);
		return hull_fail(err, ENOMEM, "info");
	}
	hull_json_add_str(o, "path", db->path);
	if (sqlite3_prepare_v2(
		db->db,
		"SELECT name, format, imported, records, data_date FROM source ORDER BY name", -1,
		&st, NULL) != SQLITE_OK) {
		json_object_put(o);
		json_object_put(srcs);
		return db_fail(db, err, "sources");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *s = json_object_new_object();
		hull_json_add_str(s, "name", (const char *)sqlite3_column_text(st, 0));
		hull_json_add_str(s, "format", (const char *)sqlite3_column_text(st, 1));
		hull_json_add_str(s, "imported", (const char *)sqlite3_column_text(st, 2));
		hull_json_add_int(s, "records", sqlite3_column_int64(st, 3));
		json_object_object_add(s, "data_date", text_or_null(st, 4));
		json_object_array_add(srcs, s);
	}
	sqlite3_finalize(st);
	json_object_object_add(o, "sources", srcs);
	*out = o;
	return 0;
}

int hull_vulndb_info(struct hull_vulndb *db, json_object **out, hull_err *err)
{
	json_object *o = json_object_new_object(), *srcs = json_object_new_array(),
		    *ecos = json_object_new_object();
	sqlite3_stmt *st = NULL;

	if (!o || !srcs || !ecos)
		goto oom;
	hull_json_add_str(o, "path", db->path);
	hull_json_add_str(o, "schema", SCHEMA_VERSION);
	hull_json_add_int(o, "advisories", count_of(db, "SELECT count(*) FROM advisory"));
	hull_json_add_int(o, "affected", count_of(db, "SELECT count(*) FROM affected"));
	if (sqlite3_prepare_v2(db->db,
			       "SELECT name, format, origin, imported, records, data_date FROM "
			       "source ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		goto dbfail;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *s = json_object_new_object();
		if (!s)
			goto oom;
		hull_json_add_str(s, "name", (const char *)sqlite3_column_text(st, 0));
		hull_json_add_str(s, "format", (const char *)sqlite3_column_text(st, 1));
		hull_json_add_str(s, "origin", (const char *)sqlite3_column_text(st, 2));
		hull_json_add_str(s, "imported", (const char *)sqlite3_column_text(st, 3));
		hull_json_add_int(s, "records", sqlite3_column_int64(st, 4));
		json_object_object_add(s, "data_date", text_or_null(st, 5));
		json_object_array_add(srcs, s);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(
		db->db,
		"SELECT ecosystem, count(*) FROM affected GROUP BY ecosystem ORDER BY ecosystem",
		-1, &st, NULL) != SQLITE_OK)
		goto dbfail;
	while (sqlite3_step(st) == SQLITE_ROW)
		hull_json_add_int(ecos, (const char *)sqlite3_column_text(st, 0),
				  sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	json_object_object_add(o, "sources", srcs);
	json_object_object_add(o, "ecosystems", ecos);
	*out = o;
	return 0;
dbfail:
	json_object_put(o);
	json_object_put(srcs);
	json_object_put(ecos);
	return db_fail(db, err, "info");
oom:
	json_object_put(o);
	json_object_put(srcs);
	json_object_put(ecos);
	return hull_fail(err, ENOMEM, "info");
}
