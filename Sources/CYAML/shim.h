// libyaml's public API, exposed to Swift as the `CYAML` module. Include only: no wrappers are needed
// because libyaml has no variadic functions.
#include <yaml.h>
