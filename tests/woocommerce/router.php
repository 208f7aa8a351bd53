<?php
/**
 * Router of `php -S` for the test WordPress (the built-in server has no rewrite rules): an existing file
 * is served as it is (a PHP file is run), anything else goes to WordPress's index.php — which is how
 * pretty permalinks reach `/wp-json/wc/v3/...`, as Apache's rewrite rules would.
 */
$root = $_SERVER['DOCUMENT_ROOT'];
$path = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( '/' !== $path && is_file( $root . $path ) ) {
	if ( '.php' !== substr( $path, -4 ) ) {
		return false;
	}
	chdir( dirname( $root . $path ) );
	require $root . $path;
	return;
}
chdir( $root );
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF']    = '/index.php';
require $root . '/index.php';
