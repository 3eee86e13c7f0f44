// glibc's allocator controls, which Swift's Glibc module does not export.
#include <malloc.h>
