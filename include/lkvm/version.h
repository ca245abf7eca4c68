/* lkvm's version string. */
#ifndef LKVM_VERSION_H
#define LKVM_VERSION_H
#define LKVM_VERSION "0.1.0"
#endif
