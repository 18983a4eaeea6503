// The system SQLite 3 API, exposed to Swift as the `CSQLite` module.
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import; this
// wrapper hands it over as a typed value so bound text and blobs are copied by SQLite.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_config is variadic, which Swift cannot call; the serialized-threading setting is the only
// use, so it gets a fixed-argument wrapper.
static inline int csqlite_config_serialized(void) {
    return sqlite3_config(SQLITE_CONFIG_SERIALIZED);
}
