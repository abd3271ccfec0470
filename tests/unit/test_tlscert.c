/* test_tlscert.c - the throwaway key and certificate of --tls: both files
 * parse back, the key is the certificate's, the subjectAltName names
 * localhost, 127.0.0.1 and ::1, the validity is about a week from now,
 * the files are 0600 whatever the umask, and nothing is written (one
 * line of error) where it cannot be or must not be: an unwritable dir, a
 * file already there, a symlink in the key's place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlscert.h"
#include "util.h"

static char *
new_dir(void)
{
	char *d = xstrdup("/tmp/lt-tlscert.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static X509 *
read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *
read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	assert_non_null(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

/* The SAN as "DNS:localhost IP:7f000001 IP:000...01" (IPs in hex). */
static void
san_text(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int i, j;

	out[0] = '\0';
	assert_non_null(names);
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		size_t at = strlen(out);

		if (g->type == GEN_DNS) {
			snprintf(out + at, len - at, "DNS:%s ",
				(const char *)ASN1_STRING_get0_data(g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			snprintf(out + at, len - at, "IP:");
			for (j = 0; j < ASN1_STRING_length(g->d.iPAddress); j++) {
				at = strlen(out);
				snprintf(out + at, len - at, "%02x",
					ASN1_STRING_get0_data(g->d.iPAddress)[j]);
			}
			at = strlen(out);
			snprintf(out + at, len - at, " ");
		}
	}
	GENERAL_NAMES_free(names);
}

static void
test_writes_a_matching_pair(void **state)
{
	char *dir = new_dir(), *crt, *key, err[256] = "", san[512], *want;
	mode_t old = umask(0);	/* the files are 0600 even then */
	struct stat st;
	X509 *x;
	EVP_PKEY *k;
	time_t week = time(NULL) + 7 * 24 * 3600;

	(void)state;
	assert_true(tlscert_write(dir, &crt, &key, err, sizeof err));
	umask(old);
	want = xasprintf("%s/tls.crt", dir);
	assert_string_equal(crt, want);
	free(want);
	want = xasprintf("%s/tls.key", dir);
	assert_string_equal(key, want);
	free(want);
	assert_int_equal(stat(crt, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	x = read_cert(crt);
	k = read_key(key);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_bits(k), 256);
	assert_int_equal(X509_get_version(x), 2);	/* v3 */
	san_text(x, san, sizeof san);
	assert_string_equal(san, "DNS:localhost IP:7f000001 IP:00000000000000000000000000000001 ");
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	assert_int_equal(X509_check_host(x, "example.com", 0, 0, NULL), 0);
	/* valid now and for about a week: not before now, not after a week */
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &(time_t){ week - 600 }) > 0);
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &(time_t){ week + 600 }) < 0);
	assert_int_equal(X509_verify(x, k), 1);	/* self-signed by that key */
	X509_free(x);
	EVP_PKEY_free(k);
	free(crt);
	free(key);
	util_rm_rf(dir);
	free(dir);
}

static void
test_two_calls_two_keys(void **state)
{
	char *d1 = new_dir(), *d2 = new_dir(), *c1, *k1, *c2, *k2, err[256];
	EVP_PKEY *a, *b;

	(void)state;
	assert_true(tlscert_write(d1, &c1, &k1, err, sizeof err));
	assert_true(tlscert_write(d2, &c2, &k2, err, sizeof err));
	a = read_key(k1);
	b = read_key(k2);
	assert_int_not_equal(EVP_PKEY_eq(a, b), 1);	/* throwaway: never the same */
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	free(c1);
	free(k1);
	free(c2);
	free(k2);
	util_rm_rf(d1);
	util_rm_rf(d2);
	free(d1);
	free(d2);
}

/* A failure: false, one line naming the path, both outputs NULL. */
static void
expect_failure(const char *dir, const char *part)
{
	char *crt = (char *)"x", *key = (char *)"x", err[512] = "";

	assert_false(tlscert_write(dir, &crt, &key, err, sizeof err));
	assert_null(crt);
	assert_null(key);
	assert_non_null(strstr(err, part));
	assert_null(strchr(err, '\n'));
}

static void
test_unwritable_dir(void **state)
{
	char *dir;

	(void)state;
	expect_failure("/nonexistent-lt-dir", "cannot create /nonexistent-lt-dir/tls.key");
	/* /proc takes no new file, not even from root */
	expect_failure("/proc", "cannot create /proc/tls.key");
	if (geteuid() != 0) {	/* root writes into a 0500 dir all the same */
		dir = new_dir();
		assert_int_equal(chmod(dir, 0500), 0);
		expect_failure(dir, "Permission denied");
		chmod(dir, 0700);
		util_rm_rf(dir);
		free(dir);
	}
}

/* Never over a file that is there, never through a symlink: the key
 * stays the one we made, where we made it. */
static void
test_existing_or_symlink(void **state)
{
	char *dir = new_dir(), *path, *target;
	struct stat st;
	FILE *f;

	(void)state;
	path = xasprintf("%s/tls.key", dir);
	target = xasprintf("%s/elsewhere", dir);
	assert_int_equal(symlink(target, path), 0);
	expect_failure(dir, "tls.key: File exists");
	assert_int_not_equal(lstat(target, &st), 0);	/* nothing written through it */
	unlink(path);
	free(path);
	free(target);

	path = xasprintf("%s/tls.crt", dir);
	f = fopen(path, "w");	/* an empty file in the certificate's place */
	assert_non_null(f);
	fclose(f);
	expect_failure(dir, "tls.crt: File exists");
	free(path);
	path = xasprintf("%s/tls.key", dir);
	assert_int_not_equal(lstat(path, &st), 0);	/* the key of the failed pair is gone */
	free(path);
	util_rm_rf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_a_matching_pair),
		cmocka_unit_test(test_two_calls_two_keys),
		cmocka_unit_test(test_unwritable_dir),
		cmocka_unit_test(test_existing_or_symlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
