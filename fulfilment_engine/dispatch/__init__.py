"""Reading what distributors send about despatch by e-mail: tracking numbers, the order, the lines."""
