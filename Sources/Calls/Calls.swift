// B2BUA call control.
