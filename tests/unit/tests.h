#pragma once
#include <CUnit/CUnit.h>

void suite_pgtable(void);
void suite_fdt(void);
void suite_bootarc(void);
void suite_elf64(void);
void suite_kprintf(void);
void suite_caps(void);
void suite_own(void);
