import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Relies on the data of tests/test_tour.py: "Tour Customer Ltd" has an inbox order Ready to ship whose
// lines are planned on two distributors, Exertis (the cable) and Westcoast (the bag).
registry.category("web_tour.tours").add("channel_fulfilment_inbox_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("channel_fulfilment.menu_root", "Open the Orders Inbox"),
        {
            content: "The inbox menu is there",
            trigger: ".o_menu_sections a:contains('Inbox'), .o_menu_sections button:contains('Inbox')",
        },
        {
            content: "The inbox has a Ready to ship column with our order",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('Ready to ship')) .o_kanban_record:contains('Tour Customer Ltd')",
        },
        {
            content: "Open the order",
            trigger: ".o_kanban_record:contains('Tour Customer Ltd')",
            run: "click",
        },
        {
            content: "The order form shows the lines' distributors",
            trigger: ".o_form_view .o_field_one2many[name='order_line'] td[name='distributor_id']:contains('Exertis')",
        },
        {
            content: "Open the statusbar overflow menu when Ship is tucked in it (small screens)",
            trigger: ".o_form_view .o_statusbar_buttons",
            async run({ queryFirst, click }) {
                const ship = queryFirst(".o_statusbar_buttons button[name='action_ship']:enabled");
                const more = queryFirst(".o_statusbar_buttons button:has(.oi-ellipsis-v)");
                if (!ship && more) {
                    await click(more);
                }
            },
        },
        {
            content: "Ship it",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name='action_ship']:enabled, .dropdown-item button[name='action_ship']:enabled, button.dropdown-item[name='action_ship']:enabled",
            run: "click",
        },
        {
            content: "Shipped: the order says it is being sent until the distributors have it",
            trigger: ".o_form_view .o_field_widget[name='inbox_state']:contains('Sending')",
        },
        stepUtils.autoExpandMoreButtons(),
        {
            content: "Open its distributor purchase orders",
            trigger: ".o_form_view .o-form-buttonbox button[name='action_view_channel_purchases']",
            run: "click",
        },
        {
            content: "One purchase order for Exertis",
            trigger: ".o_list_view .o_data_row:contains('Exertis')",
        },
        {
            content: "One purchase order for Westcoast, and no other",
            trigger: ".o_list_view .o_data_row:contains('Westcoast')",
            run() {
                const rows = document.querySelectorAll(".o_list_view .o_data_row");
                if (rows.length !== 2) {
                    throw new Error(`expected one purchase order per distributor (2), got ${rows.length}`);
                }
            },
        },
    ],
});
