/* kerr.c - names of the error codes in kerrno.h, for messages and tests. */
#include "kerrno.h"

const char *kerr_name(int err)
{
	switch (err) {
	case KERR_OK: return "OK";
	case KERR_NOMEM: return "ENOMEM";
	case KERR_INVAL: return "EINVAL";
	case KERR_ALIGN: return "EALIGN";
	case KERR_DOUBLE_FREE: return "EDOUBLEFREE";
	case KERR_BAD_PTR: return "EBADPTR";
	case KERR_RANGE: return "ERANGE";
	case KERR_WRONG_SIZE: return "EWRONGSIZE";
	case KERR_LIMIT: return "ELIMIT";
	case KERR_USE_AFTER_FREE: return "EUSEAFTERFREE";
	case KERR_NOSPC: return "ENOSPC";
	case KERR_CORRUPT: return "ECORRUPT";
	case KERR_EXIST: return "EEXIST";
	case KERR_FAULT: return "EFAULT";
	case KERR_REDZONE: return "EREDZONE";
	case KERR_NOSYS: return "ENOSYS";
	default: return "E?";
	}
}
