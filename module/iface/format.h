/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptebatch: descriptors as replies show them.
 */
#ifndef _PB_IFACE_FORMAT_H
#define _PB_IFACE_FORMAT_H

#include <linux/types.h>

#include "model/desc.h"

/* Decoded flags of a descriptor, e.g. "V,U,RO,AF,DBM,CONT,D". */
void pb_pte_flags_str(pb_pte_t pte, char *buf, size_t size);

#endif /* _PB_IFACE_FORMAT_H */
