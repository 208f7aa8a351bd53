import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A statusbar button of the open form, also when a narrow screen tucks it into the "…" menu.
function clickStatusbarButton(name, content) {
    const selector = `button[name='${name}']:enabled`;
    return [
        {
            content: `Make ${name} reachable (the statusbar may tuck it away)`,
            trigger: ".o_form_view .o_statusbar_buttons",
            async run({ queryFirst, click }) {
                const more = queryFirst(".o_statusbar_buttons button:has(.oi-ellipsis-v)");
                if (!queryFirst(`.o_statusbar_buttons ${selector}`) && more) {
                    await click(more);
                }
            },
        },
        {
            content,
            trigger: `.o_form_view .o_statusbar_buttons ${selector}, .dropdown-item${selector}, .dropdown-item ${selector}`,
            run: "click",
        },
    ];
}

function openFromReviewList(customer) {
    return [
        {
            content: "Open Needs review",
            trigger: ".o_menu_sections a:contains('Needs review'), .o_menu_sections button:contains('Needs review')",
            run: "click",
        },
        {
            content: `Open the order of ${customer}`,
            trigger: `.o_list_view .o_data_row:contains('${customer}') td[name='name']`,
            run: "click",
        },
    ];
}

// Relies on the data of tests/test_tour.py (TestReviewDeskTour): "Nomad Buyer Ltd" has an order waiting
// for its delivery address (no_address), "Thin Margin Ltd" one a rule stopped for its margin (margin).
registry.category("web_tour.tours").add("channel_fulfilment_review_desk_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("channel_fulfilment.menu_root", "Open the Orders Inbox"),
        ...openFromReviewList("Nomad Buyer Ltd"),
        {
            content: "The banner says what is wrong and what to do",
            trigger: ".o_form_view .alert-warning:contains('delivery address has no'):contains('then Plan')",
        },
        {
            content: "Type the street where the banner points",
            trigger: ".o_form_view .o_field_widget[name='channel_ship_street'] input",
            run: "edit 12 Canal Street",
        },
        {
            content: "Type the city",
            trigger: ".o_form_view .o_field_widget[name='channel_ship_city'] input",
            run: "edit Leeds",
        },
        {
            content: "Type the postcode",
            trigger: ".o_form_view .o_field_widget[name='channel_ship_zip'] input",
            run: "edit LS2 7EH",
        },
        ...clickStatusbarButton("action_plan", "Plan again"),
        {
            content: "Planned: ready to ship, the review gone",
            trigger: ".o_form_view .o_field_widget[name='inbox_state']:contains('Ready to ship')",
        },
        ...clickStatusbarButton("action_ship", "Ship it"),
        {
            content: "Shipped: being sent to the distributors",
            trigger: ".o_form_view .o_field_widget[name='inbox_state']:contains('Sending')",
        },
        ...openFromReviewList("Thin Margin Ltd"),
        {
            content: "The rule's verdict is in the banner, and only a manager's Approve resolves it",
            trigger: ".o_form_view .alert-warning:contains('margin'):contains('Approve')",
        },
        {
            content: "No Ship on an order a rule stopped",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name='action_ship']))",
        },
        ...clickStatusbarButton("action_channel_approve", "Approve"),
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Agreed with the customer's buyer: a loss leader",
        },
        {
            content: "Approve in the dialog",
            trigger: ".modal button[name='action_approve']",
            run: "click",
        },
        {
            content: "Approved: ready to ship",
            trigger: ".o_form_view .o_field_widget[name='inbox_state']:contains('Ready to ship')",
        },
        ...clickStatusbarButton("action_ship", "Ship it"),
        {
            content: "Shipped: being sent to the distributors",
            trigger: ".o_form_view .o_field_widget[name='inbox_state']:contains('Sending')",
        },
    ],
});
