"""What demand and supply plan versions share: status flow, lock tokens, the plan loaded as aligned arrays."""
