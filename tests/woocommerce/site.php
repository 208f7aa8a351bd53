<?php
/**
 * The real WooCommerce of tests/woocommerce, driven from the PHP CLI through WordPress's and WooCommerce's
 * own PHP API. Run with the site's environment — WORDPRESS_DB_NAME and the rest that the tree's
 * wp-config.php reads (tools/woocommerce_home.py), WOOCOMMERCE_HOME (the tree) and WOOCOMMERCE_SITE_URL
 * (where `php -S` serves it):
 *
 *   php site.php create-database | drop-database  the session's own MariaDB database
 *   php site.php install                          WordPress into it (wp_install), pretty permalinks
 *   php site.php activate                         WooCommerce activated (its installer makes its tables)
 *   php site.php setup WEBHOOK_URL SECRET SKU=PRICE ...
 *                                                 the store of a UK reseller, its products, a REST API key
 *                                                 and the order webhooks; prints RESULT {json}
 *   php site.php run-queue                        runs the Action Scheduler queue: delivers the webhooks
 *                                                 WooCommerce queued; prints RESULT {"delivered": [...]}
 *
 * Each step is a process of its own, as each would be a request of its own: WooCommerce must have been
 * loaded the normal way (at plugins_loaded, not by its own activation) before its store is set up.
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.DB.DirectDatabaseQuery

function fail( $message ) {
	fwrite( STDERR, $message . "\n" );
	exit( 1 );
}

function result( $value ) {
	echo 'RESULT ' . json_encode( $value ) . "\n";
}

function env( $name ) {
	$value = getenv( $name );
	if ( false === $value || '' === $value ) {
		fail( "$name is not set" );
	}
	return $value;
}

/** The MariaDB server itself (no database chosen), for creating and dropping the session's database. */
function server_connection() {
	mysqli_report( MYSQLI_REPORT_OFF );
	$host = getenv( 'WORDPRESS_DB_HOST' ) ?: '127.0.0.1';
	$user = getenv( 'WORDPRESS_DB_USER' ) ?: 'root';
	// HOST[:PORT] as WordPress reads DB_HOST (a socket path as :/path).
	list( $name, $port ) = array_pad( explode( ':', $host, 2 ), 2, null );
	$socket              = ( $port && ! ctype_digit( $port ) ) ? $port : null;
	$db                  = @new mysqli( $name ?: 'localhost', $user, (string) getenv( 'WORDPRESS_DB_PASSWORD' ), '', $socket ? null : (int) $port, $socket );
	if ( $db->connect_errno ) {
		fail( "MariaDB at $host (user $user): {$db->connect_error}" );
	}
	return $db;
}

function database_name() {
	$name = env( 'WORDPRESS_DB_NAME' );
	if ( ! preg_match( '/^[A-Za-z0-9_]{1,64}$/', $name ) ) {
		fail( "WORDPRESS_DB_NAME $name: letters, digits and _ only" );
	}
	return $name;
}

/** WordPress as a request to the site's front page would load it (the CLI has no HTTP request of its own). */
function load_wordpress( $installing = false ) {
	$url                        = wp_site_url();
	$_SERVER['HTTP_HOST']       = parse_url( $url, PHP_URL_HOST ) . ':' . parse_url( $url, PHP_URL_PORT );
	$_SERVER['SERVER_NAME']     = parse_url( $url, PHP_URL_HOST );
	$_SERVER['SERVER_PORT']     = parse_url( $url, PHP_URL_PORT );
	$_SERVER['REQUEST_URI']     = '/';
	$_SERVER['REQUEST_METHOD']  = 'GET';
	$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
	$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
	if ( $installing ) {
		define( 'WP_INSTALLING', true );
	}
	require_once rtrim( env( 'WOOCOMMERCE_HOME' ), '/' ) . '/wp-load.php';
}

function wp_site_url() {
	return rtrim( env( 'WOOCOMMERCE_SITE_URL' ), '/' );
}

function install() {
	load_wordpress( true );
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$installed = wp_install( 'Channel test store', 'admin', 'admin@example.com', false, '', wp_generate_password( 24 ) );
	if ( is_wp_error( $installed ) ) {
		fail( 'wp_install: ' . $installed->get_error_message() );
	}
	update_option( 'siteurl', wp_site_url() );
	update_option( 'home', wp_site_url() );
	update_option( 'timezone_string', 'Europe/London' );
	// Pretty permalinks, so that the REST API is at /wp-json/ where the `woocommerce` client looks.
	update_option( 'permalink_structure', '/%postname%/' );
	result( array( 'admin' => $installed['user_id'] ) );
}

function activate() {
	load_wordpress();
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
	wp_set_current_user( 1 );
	$activated = activate_plugin( 'woocommerce/woocommerce.php' );
	if ( is_wp_error( $activated ) ) {
		fail( 'activate_plugin woocommerce: ' . $activated->get_error_message() );
	}
	result( array( 'active' => get_option( 'active_plugins' ) ) );
}

function setup( $webhook_url, $secret, $prices ) {
	global $wpdb;
	load_wordpress();
	wp_set_current_user( 1 );
	if ( ! function_exists( 'WC' ) ) {
		fail( 'WooCommerce is not active' );
	}

	// A UK reseller: pounds, VAT at 20 % on goods and shipping from WooCommerce's own tax settings, prices
	// entered without tax, and tax rounded per line (WooCommerce's default: not "at subtotal").
	$options = array(
		'woocommerce_store_address'              => '7 Dock Road',
		'woocommerce_store_city'                 => 'Salford',
		'woocommerce_store_postcode'             => 'M50 2EQ',
		'woocommerce_default_country'            => 'GB',
		'woocommerce_allowed_countries'          => 'specific',
		'woocommerce_specific_allowed_countries' => array( 'GB' ),
		'woocommerce_ship_to_countries'          => '',
		'woocommerce_currency'                   => 'GBP',
		'woocommerce_price_num_decimals'         => 2,
		'woocommerce_calc_taxes'                 => 'yes',
		'woocommerce_prices_include_tax'         => 'no',
		'woocommerce_tax_based_on'               => 'shipping',
		'woocommerce_shipping_tax_class'         => 'inherit',
		'woocommerce_tax_round_at_subtotal'      => 'no',
		'woocommerce_tax_display_shop'           => 'excl',
		'woocommerce_tax_display_cart'           => 'excl',
		'woocommerce_enable_guest_checkout'      => 'yes',
		'woocommerce_coming_soon'                => 'no',
		// Direct bank transfer: the order waits on-hold until the shop marks it paid, as BACS does.
		'woocommerce_bacs_settings'              => array(
			'enabled'     => 'yes',
			'title'       => 'Direct bank transfer',
			'description' => 'Pay by bank transfer.',
		),
	);
	foreach ( $options as $name => $value ) {
		update_option( $name, $value );
	}
	$vat = WC_Tax::_insert_tax_rate(
		array(
			'tax_rate_country'  => 'GB',
			'tax_rate_state'    => '',
			'tax_rate'          => '20.0000',
			'tax_rate_name'     => 'VAT',
			'tax_rate_priority' => 1,
			'tax_rate_compound' => 0,
			'tax_rate_shipping' => 1,
			'tax_rate_order'    => 0,
			'tax_rate_class'    => '',
		)
	);

	$zone = new WC_Shipping_Zone();
	$zone->set_zone_name( 'United Kingdom' );
	$zone->add_location( 'GB', 'country' );
	$zone->save();
	$flat_rate = $zone->add_shipping_method( 'flat_rate' );
	update_option(
		"woocommerce_flat_rate_{$flat_rate}_settings",
		array( 'title' => 'Flat rate', 'tax_status' => 'taxable', 'cost' => '4.99' )
	);

	$products = array();
	foreach ( $prices as $sku => $price ) {
		$product = new WC_Product_Simple();
		$product->set_name( $sku );
		$product->set_sku( $sku );
		$product->set_regular_price( $price );
		$product->set_tax_status( 'taxable' );
		$product->set_status( 'publish' );
		$products[ $sku ] = $product->save();
	}

	// A Read/Write REST API key, stored as WooCommerce's own key screen stores it (WC_Auth::create_keys):
	// the consumer key only as wc_api_hash, the secret as it is.
	$consumer_key    = 'ck_' . wc_rand_hash();
	$consumer_secret = 'cs_' . wc_rand_hash();
	$stored          = $wpdb->insert(
		$wpdb->prefix . 'woocommerce_api_keys',
		array(
			'user_id'         => 1,
			'description'     => 'channel-sync',
			'permissions'     => 'read_write',
			'consumer_key'    => wc_api_hash( $consumer_key ),
			'consumer_secret' => $consumer_secret,
			'truncated_key'   => substr( $consumer_key, -7 ),
		)
	);
	if ( ! $stored ) {
		fail( 'woocommerce_api_keys: ' . $wpdb->last_error );
	}

	$webhooks = array();
	foreach ( array( 'order.created', 'order.updated' ) as $topic ) {
		$webhook = new WC_Webhook();
		$webhook->set_name( "channel-sync $topic" );
		$webhook->set_user_id( 1 );
		$webhook->set_topic( $topic );
		$webhook->set_secret( $secret );
		$webhook->set_delivery_url( $webhook_url );
		$webhook->set_api_version( 'wp_api_v3' );
		// No creation ping: channel-sync serve is not listening yet (the admin screen would ping it).
		$webhook->set_pending_delivery( false );
		$webhook->set_status( 'active' );
		$webhooks[ $topic ] = $webhook->save();
	}

	flush_rewrite_rules( false );
	result(
		array(
			'consumer_key'    => $consumer_key,
			'consumer_secret' => $consumer_secret,
			'products'        => $products,
			'webhooks'        => $webhooks,
			'tax_rate'        => $vat,
			'flat_rate'       => $flat_rate,
			'wordpress'       => get_bloginfo( 'version' ),
			'woocommerce'     => WC()->version,
		)
	);
}

/**
 * WooCommerce queues each webhook delivery as an Action Scheduler action (woocommerce_deliver_webhook_async)
 * that WP-Cron would run within a minute; here the queue is run at once, as `wp action-scheduler run` from
 * a system cron does. Says each delivery's topic, order and the answer's status code.
 */
function run_queue() {
	load_wordpress();
	$delivered = array();
	add_action(
		'woocommerce_webhook_delivery',
		function ( $http_args, $response, $duration, $arg, $webhook_id ) use ( &$delivered ) {
			$delivered[] = array(
				'webhook' => $webhook_id,
				'topic'   => $http_args['headers']['X-WC-Webhook-Topic'],
				'order'   => $arg,
				'status'  => is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_response_code( $response ),
			);
		},
		10,
		5
	);
	ActionScheduler_QueueRunner::instance()->run( 'channel-sync test' );
	result( array( 'delivered' => $delivered ) );
}

$command = $argv[1] ?? '';
switch ( $command ) {
	case 'create-database':
		$name = database_name();
		if ( ! server_connection()->query( "CREATE DATABASE `$name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" ) ) {
			fail( "CREATE DATABASE $name failed" );
		}
		result( array( 'database' => $name ) );
		break;
	case 'drop-database':
		$name = database_name();
		server_connection()->query( "DROP DATABASE IF EXISTS `$name`" );
		result( array( 'dropped' => $name ) );
		break;
	case 'install':
		install();
		break;
	case 'activate':
		activate();
		break;
	case 'setup':
		$prices = array();
		foreach ( array_slice( $argv, 4 ) as $pair ) {
			list( $sku, $price ) = explode( '=', $pair, 2 );
			$prices[ $sku ]      = $price;
		}
		setup( $argv[2], $argv[3], $prices );
		break;
	case 'run-queue':
		run_queue();
		break;
	default:
		fail( "unknown command '$command' (create-database, drop-database, install, activate, setup, run-queue)" );
}
